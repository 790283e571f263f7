using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PromptOps.Caching.Redis;
using StackExchange.Redis;

namespace PromptOps.Benchmarks;

/// <summary>A redis-server of the benchmarks' own on a free loopback port (no persistence), and a connection to it.</summary>
internal sealed class RedisProcess : IDisposable
{
    private static readonly string[] RedisPaths = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];
    private readonly Process _server;

    private RedisProcess(Process server, ConnectionMultiplexer redis, string configuration)
    {
        _server = server;
        Redis = redis;
        Configuration = configuration;
    }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Configuration { get; }

    /// <summary>A second connection that may run admin commands (<c>CONFIG RESETSTAT</c>, <c>INFO</c>).</summary>
    public ConnectionMultiplexer ConnectAdmin()
    {
        var options = ConfigurationOptions.Parse(Configuration);
        options.AllowAdmin = true;
        return ConnectionMultiplexer.Connect(options);
    }

    /// <summary>The connection, with PromptOps' connection options.</summary>
    public ConnectionMultiplexer Redis { get; }

    public static RedisProcess Start()
    {
        var port = FreePort();
        var executable = RedisPaths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed (apt-get install -y redis-server).");
        var psi = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var server = Process.Start(psi) ?? throw new InvalidOperationException("Could not start redis-server.");
        server.OutputDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        var configuration = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var redis = ConnectionMultiplexer.Connect(new RedisOptions { Configuration = configuration }.ToConfigurationOptions());
                if (redis.IsConnected) return new RedisProcess(server, redis, configuration);
                redis.Dispose();
            }
            catch (RedisConnectionException) when (sw.Elapsed < TimeSpan.FromSeconds(10))
            {
            }

            if (sw.Elapsed > TimeSpan.FromSeconds(10) || server.HasExited)
            {
                if (!server.HasExited) server.Kill();
                server.Dispose();
                throw new TimeoutException("redis-server did not start.");
            }

            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        Redis.Dispose();
        if (!_server.HasExited)
        {
            _server.Kill();
            _server.WaitForExit();
        }

        _server.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
