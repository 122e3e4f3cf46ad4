using FastLoad.Runner.Logging;
using FastLoad.Runner.Monitoring;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace FastLoad.Runner.Commands;

/// <summary>A command's <c>/metrics</c> endpoint, from <see cref="MetricsFlags"/>: started before the work, lingering after it.</summary>
internal sealed class MetricsServing : IDisposable
{
    private readonly MetricsEndpoint _endpoint;
    private readonly TimeSpan _linger;
    private readonly ILogger _log;

    private MetricsServing(MetricsEndpoint endpoint, TimeSpan linger, ILogger log)
    {
        _endpoint = endpoint;
        _linger = linger;
        _log = log;
    }

    /// <summary>
    /// Starts the endpoint when a port was given (<paramref name="exporter"/> adds the command's metrics to its registry);
    /// false after printing one line (port in use, address not here): the command then exits 2.
    /// </summary>
    public static bool TryStart((int? Port, string Host, TimeSpan Linger) flags, string command, ILogger log, Action<CollectorRegistry> exporter, out MetricsServing? serving)
    {
        serving = null;
        if (flags.Port is not int port) return true;
        try
        {
            CollectorRegistry registry = MetricsEndpoint.NewRegistry();
            exporter(registry);
            MetricsEndpoint endpoint = MetricsEndpoint.Start(flags.Host, port, registry);
            log.MetricsServing(endpoint.Url);
            if (!System.Net.IPAddress.IsLoopback(MetricsEndpoint.ParseHost(flags.Host).Bind)) log.MetricsExposed(endpoint.Url);
            serving = new MetricsServing(endpoint, flags.Linger, log);
            return true;
        }
        catch (MetricsEndpointException e)
        {
            Console.Error.WriteLine($"fastload {command}: {e.Message}");
            log.CommandFailed(command, e.Message);
            return false;
        }
    }

    /// <summary>Keeps serving for --metrics-linger (the final figures), unless the command was stopped by a signal.</summary>
    public void Linger(CancellationToken stopped)
    {
        if (_linger <= TimeSpan.Zero || stopped.IsCancellationRequested) return;
        _log.MetricsLinger(_linger.TotalSeconds);
        stopped.WaitHandle.WaitOne(_linger);
    }

    public void Dispose() => _endpoint.Dispose();
}
