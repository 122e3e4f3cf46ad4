using System.Globalization;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FastLoad.Engine.Sink;
using FastLoad.Runner.Logging;
using Microsoft.Extensions.Logging;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload sink</c>: a null JSON-RPC endpoint that accepts every well-formed tx, to measure FastLoad's own ceiling.</summary>
public static class SinkCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p")
        {
            Description = "TCP port to listen on (0 picks a free one).",
            DefaultValueFactory = _ => 8545,
        };
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on: an IP address or localhost. Only loopback unless given explicitly.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var chainId = new Option<ulong>("--chain-id")
        {
            Description = "Chain id that eth_chainId and net_version answer.",
            DefaultValueFactory = _ => 31337,
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No per-second line; only the listening line and the totals." };
        var faults = new Option<string?>("--faults")
        {
            Description = "Faults to inject, e.g. \"429:5%:retry-after=1,503:2%,reset-after:1%,slow:3%:delay=500ms,tx-error:nonce-too-low:geth:1%\" (see README: fastload sink --faults).",
        };
        var faultSeed = new Option<ulong>("--fault-seed")
        {
            Description = "Seed of the fault draws: the same seed gives the n-th request the same fault.",
            DefaultValueFactory = _ => 1,
        };
        var upstream = new Option<string?>("--upstream")
        {
            Description = "Proxy mode: forward every POST to this node (http://host:port/path) and answer with its reply, faults applied.",
        };
        var tls = new Option<bool>("--tls")
        {
            Description = "Serve HTTPS with a fresh self-signed certificate (localhost, 127.0.0.1, ::1); its PEM is written to --cert-out for `run --ca-cert`.",
        };
        var certOut = new Option<FileInfo?>("--cert-out")
        {
            Description = "With --tls: where to write the certificate's PEM (default: fastload-sink-PORT.pem in the temp directory).",
        };
        var logFile = CliLog.FileOption();
        var logLevel = CliLog.LevelOption();
        var command = new Command("sink", """
            Run a null JSON-RPC sink over HTTP/1.1 (keep-alive, pipelining) that a load run can target instead of a node.
            eth_sendRawTransaction: the tx is hex-decoded and checked structurally (types 0, 1, 2, 4; no sender
            recovery), then answered with its keccak256 hash, or with error -32000 when malformed. Requests and
            batches both work. Fixed answers: eth_chainId, net_version, eth_getTransactionCount (0x0), eth_gasPrice and
            eth_maxPriorityFeePerGas (1 gwei), eth_getBalance (huge), eth_blockNumber (0x0), eth_getBlockByNumber
            (a minimal block, baseFeePerGas 1 gwei), eth_estimateGas (0x5208). Prints accepted/rejected txs per second.
            Ctrl-C or SIGTERM stops it and prints the totals.

            With --faults SPEC it injects faults at seeded rates: per HTTP request 429 (Retry-After), 500, 503,
            reset-before, reset-after, cut, slow, malformed, missing-ids, extra-ids; per tx, tx-error with the words of
            geth, reth, anvil or hardhat. SPEC = FAULT:RATE%[:PARAM], comma-separated; see the README for the grammar.
            With --upstream URL it forwards to that node instead of answering itself; faults before the request
            (429, 500, 503, reset-before) do not forward, the others forward first, so the txs really reach the node.
            The injected counts are printed each second and at exit.
            With --tls it serves HTTPS (TLS 1.2/1.3, HTTP/1.1) with a self-signed certificate made at start, whose PEM it
            writes to --cert-out FILE (never the key): a run trusts it with --ca-cert FILE. With --upstream that makes a
            TLS front for a plain node.

            Examples:
              fastload sink --port 8545 --chain-id 31337
              fastload sink --port 9545 --metrics-port 9465            a measuring receiver: /metrics counts requests, txs, faults
              fastload sink --port 9545 --faults "503:2%,reset-after:1%,tx-error:nonce-too-low:geth:1%" --fault-seed 7
              fastload sink --port 9545 --upstream http://127.0.0.1:8545 --faults "429:5%:retry-after=1,cut:1%,slow:3%:delay=500ms"
              fastload sink --port 9545 --tls --cert-out sink.pem     then: fastload run --rpc https://127.0.0.1:9545 --ca-cert sink.pem ...
            """)
        {
            port, host, chainId, quiet, faults, faultSeed, upstream, tls, certOut, logFile, logLevel,
        };
        var metricsFlags = new MetricsFlags(linger: false);
        metricsFlags.AddTo(command);
        command.SetAction(parse =>
        {
            CliLog log;
            (int? Port, string Host, TimeSpan Linger) metricsAt;
            try
            {
                metricsAt = metricsFlags.Read(parse);
                // The console keeps every line (--quiet only drops the per-second one, as before).
                log = CliLog.Create("sink", parse.GetValue(logFile), parse.GetValue(logLevel)!, Console.WriteLine);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"fastload sink: {EnvironmentOptions.Annotate(e.Message)}");
                return 2;
            }
            using (log)
            {
                return Run(
                    parse.GetValue(port),
                    parse.GetValue(host)!,
                    hostGiven: parse.GetResult(host) is { Implicit: false },
                    parse.GetValue(chainId),
                    parse.GetValue(quiet),
                    parse.GetValue(faults),
                    parse.GetValue(faultSeed),
                    parse.GetValue(upstream),
                    parse.GetValue(tls),
                    parse.GetValue(certOut),
                    metricsAt,
                    log.Logger);
            }
        });
        return command;
    }

    private static int Run(int port, string host, bool hostGiven, ulong chainId, bool quiet, string? faultSpec, ulong faultSeed, string? upstreamUrl,
        bool tls, FileInfo? certOut, (int? Port, string Host, TimeSpan Linger) metricsAt, ILogger log)
    {
        if (certOut is not null && !tls)
        {
            Console.Error.WriteLine("fastload sink: --cert-out needs --tls: add --tls to serve HTTPS");
            return 2;
        }
        SinkFaultPlan? plan = null;
        if (faultSpec is not null)
        {
            try
            {
                plan = SinkFaultPlan.Parse(faultSpec, faultSeed);
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"fastload sink: --faults: {e.Message} (see fastload sink --help)");
                return 2;
            }
        }
        Uri? upstream = null;
        if (upstreamUrl is not null)
        {
            if (!Uri.TryCreate(upstreamUrl, UriKind.Absolute, out upstream) || upstream.Scheme is not ("http" or "https") || string.IsNullOrEmpty(upstream.Host))
            {
                Console.Error.WriteLine($"fastload sink: --upstream '{upstreamUrl}' is not an http:// URL of a node, e.g. --upstream http://127.0.0.1:8545");
                return 2;
            }
        }
        if (port is < 0 or > IPEndPoint.MaxPort)
        {
            Console.Error.WriteLine($"fastload sink: --port {port} is not a TCP port (0..65535)");
            return 2;
        }
        IPAddress? address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : null;
        if (address is null)
        {
            Console.Error.WriteLine($"fastload sink: --host '{host}' is not an IP address (or localhost)");
            return 2;
        }

        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = tls ? SinkCertificate.CreateSelfSigned(address) : null;
        SinkServer server;
        try
        {
            server = SinkServer.Start(new SinkOptions
            {
                Address = address, Port = port, ChainId = chainId, AllowNonLoopback = hostGiven, Faults = plan, Upstream = upstream,
                TlsCertificate = certificate,
            });
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            Console.Error.WriteLine($"fastload sink: port {port} on {address} is already in use; stop whatever listens there or choose another port with --port");
            return 1;
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"fastload sink: cannot listen on {address} port {port}: {e.Message}");
            return 1;
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        if (certificate is not null)
        {
            string pemPath = certOut?.FullName ?? Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"fastload-sink-{server.Port}.pem"));
            try
            {
                File.WriteAllText(pemPath, SinkCertificate.ToPem(certificate));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                server.StopAsync().GetAwaiter().GetResult();
                Console.Error.WriteLine($"fastload sink: cannot write the certificate to {pemPath} ({e.Message}): choose another --cert-out");
                return 2;
            }
            log.SinkListeningTls(server.Url.ToString(), pemPath);
        }
        else
        {
            log.SinkListening(server.Url.ToString());
        }
        if (!MetricsServing.TryStart(metricsAt, "sink", log, registry => new Monitoring.SinkExporter(server, registry), out MetricsServing? metrics))
        {
            server.StopAsync().GetAwaiter().GetResult();
            return 2;
        }
        using MetricsServing? metricsToStop = metrics;
        if (!IPAddress.IsLoopback(address)) Console.Error.WriteLine($"fastload sink: warning: listening on {address}, reachable from other hosts");
        if (upstream is not null) log.SinkForwarding(upstream.ToString());
        if (plan is not null) log.SinkFaults(plan.Seed, plan.Describe());

        SinkSnapshot last = server.Counters.Snapshot();
        long lastTicks = Environment.TickCount64;
        while (!stop.Token.WaitHandle.WaitOne(1000))
        {
            if (quiet) continue;
            SinkSnapshot now = server.Counters.Snapshot();
            long ticks = Environment.TickCount64;
            double seconds = Math.Max(ticks - lastTicks, 1) / 1000.0;
            log.SinkSecond((now.Accepted - last.Accepted) / seconds, (now.Rejected - last.Rejected) / seconds, (now.Requests - last.Requests) / seconds,
                now.Accepted, now.Rejected, FaultsSuffix(server));
            last = now;
            lastTicks = ticks;
        }

        server.StopAsync().GetAwaiter().GetResult();
        SinkSnapshot total = server.Counters.Snapshot();
        log.SinkStopped(total.Accepted, total.Rejected, total.Requests, total.Connections,
            tls ? string.Create(CultureInfo.InvariantCulture, $", {server.Counters.TlsFailures:N0} failed TLS handshakes") : "");
        if (server.Faults is { } injected) log.SinkFaultsInjected(injected.Describe());
        return 0;

        static string FaultsSuffix(SinkServer server) => server.Faults is { } injected ? $"; faults {injected.Describe()}" : "";

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
