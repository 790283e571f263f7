using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PromptOps.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, started for the tests and stopped after them. It never
/// listens on anything but 127.0.0.1. If <c>redis-server</c> is missing the tests fail (they never skip): run
/// <c>./test.sh</c>, which installs it.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private Process? _process;
    private readonly string? _dataDirectory;

    /// <summary>A server without persistence (<c>--save "" --appendonly no</c>): a restart forgets everything.</summary>
    public RedisServer()
        : this(persistent: false)
    {
    }

    /// <summary>
    /// A server that keeps its data across <see cref="Kill"/> and <see cref="Start"/> (<c>--appendonly yes --appendfsync
    /// always</c> in a temporary directory of its own, deleted by <see cref="Dispose"/>): every write it acknowledged
    /// survives a kill -9. (A factory, not a constructor: xUnit fixtures may have one public constructor.)
    /// </summary>
    public static RedisServer Persistent() => new(persistent: true);

    private RedisServer(bool persistent)
    {
        if (persistent)
        {
            _dataDirectory = Path.Combine(Path.GetTempPath(), "promptops-redis-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dataDirectory);
        }

        Executable = FindExecutable() ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. The Redis tests need a real server (they start their own on a free loopback port, and never skip): " +
            "install it with `sudo apt-get install -y redis-server` (./test.sh does that), or leave these tests out with --filter \"Needs!=redis\".");
        Port = FreePort();
        Start();
    }

    public string Executable { get; }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the server on the same port (after <see cref="Kill"/>).</summary>
    public void Start()
    {
        if (IsRunning) return;
        var psi = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--protected-mode", "yes" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_dataDirectory is null)
        {
            psi.ArgumentList.Add("--appendonly");
            psi.ArgumentList.Add("no");
        }
        else
        {
            foreach (var a in new[] { "--appendonly", "yes", "--appendfsync", "always", "--dir", _dataDirectory }) psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start redis-server.");
        var output = new ConcurrentQueue<string>();
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Wait for our server's own word that it listens, not only for the port to accept: if the port was taken, the
        // server exits and someone else's listener would accept our connections.
        var sw = Stopwatch.StartNew();
        while (!(output.Any(l => l.Contains("Ready to accept connections", StringComparison.Ordinal)) && CanConnect()))
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // the rest of its output
                var code = _process.ExitCode;
                _process.Dispose();
                _process = null;
                throw new InvalidOperationException($"redis-server exited with code {code} before listening on {Configuration}:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            }

            if (sw.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException($"redis-server did not start listening on {Configuration} within 10 s:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Kills the server (SIGKILL) and waits until the port is closed.</summary>
    public void Kill()
    {
        if (_process is null) return;
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _process = null;
        WaitUntil(() => !CanConnect(), TimeSpan.FromSeconds(10), "redis-server did not stop");
    }

    public void Dispose()
    {
        Kill();
        if (_dataDirectory is not null && Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>True when the server keeps its data across a restart (AOF).</summary>
    public bool IsPersistent => _dataDirectory is not null;

    private bool CanConnect()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void WaitUntil(Func<bool> condition, TimeSpan limit, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > limit) throw new TimeoutException($"{what} within {limit}.");
            Thread.Sleep(20);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}
