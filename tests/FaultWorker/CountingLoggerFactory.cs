using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PromptOps.FaultWorker;

/// <summary>Counts log events by id (the over-reservation is event 3006) and echoes warnings and errors to stderr.</summary>
internal sealed class CountingLoggerFactory : ILoggerFactory
{
    public ConcurrentDictionary<int, int> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CountingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Events.AddOrUpdate(eventId.Id, 1, (_, n) => n + 1);
            if (logLevel >= LogLevel.Warning && eventId.Id != 3006)
            {
                Console.Error.WriteLine($"{logLevel} {eventId.Id} {category}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
            }
        }
    }
}
