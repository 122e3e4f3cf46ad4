using System.CommandLine;
using System.Globalization;
using System.Net;
using FastLoad.Runner.Monitoring;
using FastLoad.Runner.Serve;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload serve</c>: a long-lived control API and dashboard that start, watch and stop runs (README "fastload serve").</summary>
public static class ServeCommand
{
    public const int DefaultPort = 7464;

    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address to listen on: 127.0.0.1 (default, this machine only), 0.0.0.0 or :: for every address, or one address.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = $"TCP port (default {DefaultPort}; 0 picks a free one, printed at start).", DefaultValueFactory = _ => DefaultPort };
        var results = new Option<string>("--results") { Description = "Folder of the runs' results files: each run writes <folder>/<id>.duckdb, and past runs are listed from it.", DefaultValueFactory = _ => "results" };
        var command = new Command("serve", """
            Serve a JSON API and a dashboard page that start runs (the same options as `fastload run`, or a scenario
            file), show their live figures (rate intended vs achieved, latency, errors, per node; also as a stream of
            server-sent events), stop them as Ctrl-C would, and list past runs with their summaries and HTML reports.
            One run at a time. Starting and stopping need the bearer token: FASTLOAD_API_TOKEN, or one made at start
            and printed once. Everything else is readable by whoever reaches the address: loopback by default.

            Examples:
              fastload serve                                   http://127.0.0.1:7464/ (the dashboard; the API under /api)
              FASTLOAD_API_TOKEN=... fastload serve --port 8080 --results /var/lib/fastload
              curl -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
                   -d '{"options": {"rpc": "http://127.0.0.1:8545", "rate": 200, "duration": "1m"}}' http://127.0.0.1:7464/api/runs
            Exit codes: 2 bad input (a flag, a port in use), 130 Ctrl-C, 143 SIGTERM (after the live run was stopped and its results closed).
            """)
        {
            host, port, results,
        };
        command.SetAction(parse =>
        {
            IPAddress address;
            BearerToken token;
            int portValue = parse.GetValue(port);
            try
            {
                if (portValue is < 0 or > IPEndPoint.MaxPort) throw new ArgumentException($"--port {portValue} is not a TCP port: give one from 1 to 65535, or 0 for any free one");
                address = MetricsEndpoint.ParseHost(parse.GetValue(host)!, "--host").Bind;
                token = BearerToken.FromEnvironmentOrNew();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"fastload serve: {e.Message}");
                return 2;
            }
            var runs = new ServedRuns(parse.GetValue(results)!);
            ControlService service;
            try
            {
                service = ControlService.StartAsync(address, portValue, runs, token).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                string shown = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
                string why = e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException
                    ? "is already in use: stop whatever listens there or choose another --port"
                    : $"cannot be listened on ({e.Message}): give an address of this machine (--host) and a free port above 1023 unless root";
                Console.Error.WriteLine($"fastload serve: {shown}:{portValue.ToString(CultureInfo.InvariantCulture)} {why}");
                return 2;
            }
            using var stop = new SignalStop(NullLogger.Instance, "stopping the live run (its results kept as interrupted), then the service");
            Console.WriteLine($"fastload serve: dashboard {service.Url} (API {service.Url}api), results in {runs.ResultsFolder}");
            if (!IPAddress.IsLoopback(address))
                Console.Error.WriteLine($"fastload serve: warning: listening on {address}, reachable from other hosts: anyone who reaches it can read runs (node URLs, figures, reports); starting and stopping still need the token");
            Console.WriteLine(token.Generated
                ? $"fastload serve: API token (starting and stopping runs; shown only now, set {BearerToken.Variable} to choose your own): {token.Value}"
                : $"fastload serve: API token from {BearerToken.Variable}");
            stop.Token.WaitHandle.WaitOne();
            runs.StopAllAsync().GetAwaiter().GetResult();
            service.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return stop.ExitCodeOr130;
        });
        return command;
    }
}
