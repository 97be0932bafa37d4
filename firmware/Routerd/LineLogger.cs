using System.Text;
using Microsoft.Extensions.Logging;

namespace Routerd;

/// <summary>routerd's log: one line per event on standard output ("14:02:51.166 info:
/// Category[id] message", the layout of the framework's single-line console formatter), which
/// the init system keeps. One provider serves routerd's own loggers and the web host's.
///
/// Why not the framework's console logger: it is built through dependency injection (options
/// monitors, formatter registries, open generics the NativeAOT type loader instantiates at run
/// time) and costs about 20 ms per logger factory at start, twice over here: a fifth of the
/// start budget for printing lines. routerd logs what it changes, a few lines a minute, so a
/// synchronous write under a lock is all it needs.</summary>
sealed class LineLogger : ILoggerProvider
{
    readonly TextWriter output;
    readonly Core.Logs.RecentLines? recent;
    readonly Lock gate = new();

    /// <param name="recent">Also keeps the last lines in memory, for the web UI's log viewer.</param>
    public LineLogger(TextWriter output, Core.Logs.RecentLines? recent = null) => (this.output, this.recent) = (output, recent);

    /// <summary>routerd's own loggers (adapters, the loop): Information and up, like the host's default;
    /// <c>ROUTERD_LOG_LEVEL=Debug</c> in the environment adds the Debug lines (the loop's timings).</summary>
    public ILoggerFactory Factory() => new LoggerFactory([this], new LoggerFilterOptions { MinLevel = MinLevel() });

    public const string LevelVariable = "ROUTERD_LOG_LEVEL";

    static LogLevel MinLevel() =>
        Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable(LevelVariable), ignoreCase: true, out var level) && level is >= LogLevel.Trace and <= LogLevel.Information
            ? level : LogLevel.Information;

    public ILogger CreateLogger(string categoryName) => new Category(this, categoryName);

    public void Dispose() => output.Flush();

    void Write(LogLevel level, string category, EventId id, string message, Exception? exception)
    {
        var line = new StringBuilder(64 + message.Length)
            .Append(DateTime.Now.ToString("HH:mm:ss.fff ", System.Globalization.CultureInfo.InvariantCulture))
            .Append(Label(level)).Append(": ").Append(category).Append('[').Append(id.Id).Append("] ")
            .Append(message);
        if (exception is not null) line.Append(Environment.NewLine).Append(exception);
        string text = line.ToString();
        lock (gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
        recent?.Add(DateTimeOffset.UtcNow, text);
    }

    static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    sealed class Category(LineLogger sink, string name) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            sink.Write(logLevel, name, eventId, formatter(state, exception), exception);
        }
    }
}
