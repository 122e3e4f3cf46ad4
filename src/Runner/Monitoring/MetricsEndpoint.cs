using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Prometheus;

namespace FastLoad.Runner.Monitoring;

/// <summary>A <c>/metrics</c> endpoint could not be served; the message is one line naming the problem and the fix.</summary>
public sealed class MetricsEndpointException(string message) : Exception(message);

/// <summary>
/// <c>/metrics</c> in the Prometheus text format: prometheus-net's <see cref="MetricServer"/> (HttpListener) over a
/// registry of FastLoad's own metrics (plus the process's, from <see cref="DotNetStats"/>). Every value is read from
/// the engine at scrape time by the exporters' before-collect callbacks; nothing here runs per tx.
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    private readonly MetricServer _server;

    private MetricsEndpoint(MetricServer server, CollectorRegistry registry, string url)
    {
        _server = server;
        Registry = registry;
        Url = url;
    }

    /// <summary>The registry the exporters add their metrics to.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>http://host:port/metrics</summary>
    public string Url { get; }

    /// <summary>A new registry (FastLoad's metrics and the process's), not yet served.</summary>
    public static CollectorRegistry NewRegistry()
    {
        CollectorRegistry registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(registry);
        return registry;
    }

    /// <summary>
    /// Serves <paramref name="registry"/> on <paramref name="host"/>:<paramref name="port"/>; throws
    /// <see cref="MetricsEndpointException"/> (port in use, address not on this machine) with the flag to change.
    /// </summary>
    public static MetricsEndpoint Start(string host, int port, CollectorRegistry registry)
    {
        (string prefixHost, IPAddress bind) = ParseHost(host);
        string shown = bind.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
        // HttpListener's own error for a port in use is terse and platform-dependent: try the socket first for a clear line.
        try
        {
            using var probe = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(bind, port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new MetricsEndpointException(string.Create(CultureInfo.InvariantCulture,
                $"--metrics-port {port}: {shown}:{port} is already in use: stop whatever listens there or choose another --metrics-port"));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AccessDenied)
        {
            throw new MetricsEndpointException(string.Create(CultureInfo.InvariantCulture,
                $"--metrics-host {host} --metrics-port {port}: cannot listen there ({e.Message}): give an address of this machine (default 127.0.0.1) and a port above 1023 unless root"));
        }
        var server = new MetricServer(prefixHost, port, "metrics/", registry);
        try
        {
            server.Start();
        }
        catch (HttpListenerException e)
        {
            server.Dispose();
            throw new MetricsEndpointException(string.Create(CultureInfo.InvariantCulture,
                $"--metrics-port {port}: cannot serve /metrics on {shown}:{port} ({e.Message}): choose another --metrics-port or --metrics-host"));
        }
        return new MetricsEndpoint(server, registry, string.Create(CultureInfo.InvariantCulture, $"http://{(prefixHost == "+" ? shown : prefixHost)}:{port}/metrics"));
    }

    /// <summary>1..65535, else one line naming the flag.</summary>
    public static int CheckPort(int port) => port is >= 1 and <= IPEndPoint.MaxPort ? port
        : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--metrics-port {port} is not a TCP port: give one from 1 to 65535 (e.g. --metrics-port 9464)"));

    /// <summary>
    /// The HttpListener prefix host and the address bound: an IP address, localhost, or 0.0.0.0 / :: (every address of
    /// the machine, prefix "+").
    /// </summary>
    public static (string PrefixHost, IPAddress Bind) ParseHost(string host, string flag = "--metrics-host")
    {
        string h = host.Trim();
        if (h.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return ("localhost", IPAddress.Loopback);
        if (h.StartsWith('[') && h.EndsWith(']')) h = h[1..^1];
        if (!IPAddress.TryParse(h, out IPAddress? address))
            throw new ArgumentException($"{flag} '{host}' is not an IP address: give e.g. 127.0.0.1 (the default), 0.0.0.0 for every address, or localhost");
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return ("+", address);
        return (address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString(), address);
    }

    public void Dispose() => _server.Dispose();
}
