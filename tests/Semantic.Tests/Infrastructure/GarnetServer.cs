using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace PromptOps.Semantic.Tests.Infrastructure;

/// <summary>
/// A real Garnet server (Microsoft's Redis-protocol server, dotnet tool <c>garnet-server</c> 2.2.8) with its
/// vector-set preview, on a free loopback port, started for the tests and stopped after them. It listens on 127.0.0.1
/// only. The executable is taken from <c>PROMPTOPS_GARNET</c>, else <c>.tools/garnet/garnet-server</c> in the
/// repository (where <c>./test.sh</c> installs it), else PATH; when none exists the tests install it there with
/// <c>dotnet tool install</c>. If that fails the tests fail — they never skip (in CI or anywhere else).
/// </summary>
public sealed class GarnetServer : IDisposable
{
    public const string Version = "2.2.8";
    private static readonly object InstallGate = new();
    private Process? _process;

    public GarnetServer()
    {
        Executable = FindOrInstall();
        Port = FreePort();
        var psi = new ProcessStartInfo(Executable)
        {
            ArgumentList =
            {
                "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                "--enable-vector-set-preview", "-m", "128m", "--logger-level", "Error",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var sw = Stopwatch.StartNew();
        while (!CanConnect())
        {
            if (_process.HasExited) throw new InvalidOperationException($"garnet-server exited with code {_process.ExitCode} before listening.");
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("garnet-server did not start listening within 60 s.");
            Thread.Sleep(50);
        }

        // One PING (after the connection handshake) to warm it up: Garnet is a .NET server, and its first commands run
        // cold (JIT), slowly enough on a loaded machine to time out a test's first operations.
        try
        {
            using var warm = ConnectionMultiplexer.Connect(new ConfigurationOptions { EndPoints = { Configuration }, ConnectTimeout = 60_000, SyncTimeout = 60_000 });
            warm.GetDatabase().Ping();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Executable { get; }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public void Dispose()
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
    }

    private static string FindOrInstall()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PROMPTOPS_GARNET");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(fromEnv) ? fromEnv : throw new InvalidOperationException($"PROMPTOPS_GARNET is '{fromEnv}', which does not exist.");
        }

        var toolPath = Path.Combine(RepositoryRoot(), ".tools", "garnet");
        var local = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "garnet-server.exe" : "garnet-server");
        lock (InstallGate)
        {
            if (File.Exists(local)) return local;
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
            {
                var candidate = Path.Combine(dir, "garnet-server");
                if (File.Exists(candidate)) return candidate;
            }

            // Not installed: install the dotnet tool into the repository's .tools folder (git-ignored).
            var psi = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "tool", "install", "garnet-server", "--version", Version, "--tool-path", toolPath },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var install = Process.Start(psi) ?? throw new InvalidOperationException("Could not run dotnet tool install.");
            var stdout = install.StandardOutput.ReadToEndAsync();
            var stderr = install.StandardError.ReadToEndAsync();
            if (!install.WaitForExit(TimeSpan.FromMinutes(5))) install.Kill(entireProcessTree: true);
            if (!File.Exists(local))
            {
                throw new InvalidOperationException(
                    $"garnet-server {Version} is not installed and `dotnet tool install garnet-server --version {Version} --tool-path {toolPath}` failed " +
                    $"(exit {(install.HasExited ? install.ExitCode : -1)}): {stdout.Result}{stderr.Result} Run ./test.sh, which installs it.");
            }

            return local;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PromptOps.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException($"No PromptOps.sln above {AppContext.BaseDirectory}.");
    }

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
