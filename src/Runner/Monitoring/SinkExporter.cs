using FastLoad.Engine.Sink;
using Prometheus;

namespace FastLoad.Runner.Monitoring;

/// <summary>
/// The metrics of <c>fastload sink</c> (README "Metrics"): its own counters (added once per read of requests, never per
/// tx) and the faults it injected, read at each scrape. With them the sink is the measuring far end of a pipeline test.
/// </summary>
public sealed class SinkExporter
{
    private readonly SinkServer _server;
    private readonly Lock _gate = new();
    private readonly Counter _requests, _accepted, _rejected, _connections, _tlsFailures, _faults;

    public SinkExporter(SinkServer server, CollectorRegistry registry)
    {
        _server = server;
        MetricFactory f = Metrics.WithCustomRegistry(registry);
        _requests = f.CreateCounter("fastload_sink_requests_total", "HTTP requests the sink answered (a JSON-RPC batch is one).");
        _accepted = f.CreateCounter("fastload_sink_txs_accepted_total", "eth_sendRawTransaction calls answered with a hash.");
        _rejected = f.CreateCounter("fastload_sink_txs_rejected_total", "eth_sendRawTransaction calls answered with an error (malformed, or an injected tx-error).");
        _connections = f.CreateCounter("fastload_sink_connections_total", "Connections accepted.");
        _tlsFailures = f.CreateCounter("fastload_sink_tls_failures_total", "TLS handshakes that failed (--tls).");
        _faults = f.CreateCounter("fastload_sink_faults_injected_total", "Faults injected (--faults), by rule as written in the spec (503, reset-after, tx-error:nonce-too-low:geth, ...).",
            new CounterConfiguration { LabelNames = ["fault"] });
        registry.AddBeforeCollectCallback(Update);
        Update();
    }

    public void Update()
    {
        lock (_gate)
        {
            SinkCounters c = _server.Counters;
            _requests.IncTo(c.Requests);
            _accepted.IncTo(c.Accepted);
            _rejected.IncTo(c.Rejected);
            _connections.IncTo(c.Connections);
            _tlsFailures.IncTo(c.TlsFailures);
            if (_server.Faults is { } faults)
                foreach (KeyValuePair<string, long> rule in faults.Snapshot()) _faults.WithLabels(rule.Key).IncTo(rule.Value);
        }
    }
}
