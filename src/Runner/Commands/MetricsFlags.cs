using System.CommandLine;
using FastLoad.Runner.Monitoring;

namespace FastLoad.Runner.Commands;

/// <summary>
/// <c>--metrics-port P</c>, <c>--metrics-host H</c> (and for run and probe <c>--metrics-linger D</c>): serve
/// <c>/metrics</c> in the Prometheus text format while the process lives.
/// </summary>
public sealed class MetricsFlags(bool linger)
{
    public Option<int?> Port { get; } = new("--metrics-port")
    {
        Description = "Serve /metrics (Prometheus text format) on this port while the process lives (see README \"Metrics\" for every metric).",
    };

    public Option<string> Host { get; } = new("--metrics-host")
    {
        Description = "Address /metrics listens on: 127.0.0.1 (default, this machine only), 0.0.0.0 or :: for every address, or one address.",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    public Option<string?> Linger { get; } = new("--metrics-linger")
    {
        Description = "Keep serving /metrics this long after the run ends (e.g. 5s: twice the scrape interval), so the last scrape sees the final totals. Default 0; not after Ctrl-C/SIGTERM.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Port);
        command.Options.Add(Host);
        if (linger) command.Options.Add(Linger);
    }

    /// <summary>The flags checked: port (null: no endpoint), host, linger. Throws <see cref="ArgumentException"/> with one line.</summary>
    public (int? Port, string Host, TimeSpan Linger) Read(ParseResult parse)
    {
        int? port = parse.GetValue(Port) is int p ? MetricsEndpoint.CheckPort(p) : null;
        string host = parse.GetValue(Host)!;
        MetricsEndpoint.ParseHost(host); // a bad address fails with the other flags
        if (port is null && parse.GetResult(Host) is { Implicit: false }) throw new ArgumentException("--metrics-host applies to the /metrics endpoint: give --metrics-port P too");
        TimeSpan lingerFor = linger && parse.GetValue(Linger) is string text ? RunCommand.ParseDuration(text, "--metrics-linger") : TimeSpan.Zero;
        if (port is null && lingerFor > TimeSpan.Zero) throw new ArgumentException("--metrics-linger applies to the /metrics endpoint: give --metrics-port P too");
        return (port, host, lingerFor);
    }
}
