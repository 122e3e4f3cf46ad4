using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FastLoad.Engine.Rpc;
using FastLoad.Tests.Infrastructure;
using FastLoad.Engine.Sink;
using Xunit.Abstractions;

namespace FastLoad.Tests.Rpc;

/// <summary>Over https the send path still allocates nothing per request: headers are in the precomputed head, SslStream encrypts in place.</summary>
[Collection(nameof(RpcAllocationCollection))]
public class TlsAllocationTests(ITestOutputHelper output)
{
    private const int RoundTrips = 1000;

    /// <summary>A TLS server that answers every fixed-size request with a canned response.</summary>
    private sealed class CannedTlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly X509Certificate2 _certificate = SinkCertificate.CreateSelfSigned(IPAddress.Loopback);
        private readonly Task _loop;
        private readonly int _requestLength;
        private readonly byte[] _response;

        public CannedTlsServer(int bodyLength, byte[] response, string pemFile)
        {
            _response = response;
            File.WriteAllText(pemFile, SinkCertificate.ToPem(_certificate));
            _listener.Start();
            Endpoint = RpcEndpoint.Parse($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/", new RpcConnectOptions
            {
                Headers = [new HttpHeader("Authorization", "Bearer 0123456789abcdef0123456789abcdef")],
                Tls = TlsOptions.WithCaFile(pemFile),
            });
            _requestLength = Endpoint.RequestHeadPrefix.Length + bodyLength.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 4 + bodyLength;
            _loop = Task.Run(ServeAsync);
        }

        public RpcEndpoint Endpoint { get; }

        private async Task ServeAsync()
        {
            using Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
            socket.NoDelay = true;
            await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
            byte[] buffer = new byte[256 * 1024];
            long pending = 0;
            try
            {
                while (true)
                {
                    int read = await ssl.ReadAsync(buffer, _stop.Token);
                    if (read == 0) return;
                    pending += read;
                    long complete = pending / _requestLength;
                    pending -= complete * _requestLength;
                    for (; complete > 0; complete--) await ssl.WriteAsync(_response, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
            _stop.Dispose();
            _certificate.Dispose();
        }
    }


    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Https_round_trips_with_a_header_allocate_nothing_on_the_sender_thread(int maxInFlight)
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x02f86d827a6980843b9aca00850342770c0082520894000000000000000000000000000000000000dead0180c080a0"]}""");
        byte[] response = ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":1,"result":"0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c"}""");
        await using var server = new CannedTlsServer(body.Length, response, Infrastructure.TestPaths.NewFile(".pem"));
        await using PipelinedHttpConnection connection =
            await PipelinedHttpConnection.ConnectAsync(server.Endpoint, maxInFlight, TimeSpan.FromSeconds(30), CancellationToken.None);
        var handler = new CountingResponseHandler();

        RoundTripFigures[] rounds = await Task.Run(async () =>
        {
            await SendRoundTrips.RunAsync(connection, handler, body, 0, RoundTrips); // warm-up: JIT, pools, TLS buffers
            var measured = new RoundTripFigures[5]; // five rounds: one-off lumps of other threads (new pool threads, TLS buffers) can hit three in a row under CI load
            for (int r = 0; r < measured.Length; r++)
                measured[r] = await SendRoundTrips.RunAsync(connection, handler, body, (1 + r) * RoundTrips, RoundTrips);
            return measured;
        });

        foreach (RoundTripFigures f in rounds)
            output.WriteLine($"maxInFlight {maxInFlight}: {f.Sync} of {RoundTrips} sends synchronous, sender thread {f.SenderBytes} B, "
                             + $"whole process (client, TLS both ways, this server) {f.ProcessBytes} B = {f.ProcessBytes / (double)RoundTrips:0.##} B/request");
        Assert.Equal(0, handler.Failures);
        // Steady state allocates nothing on the sender thread: at least one round is 0 B, and none comes near a per-request
        // object (24 B at least, so 24 B x RoundTrips a round). Under a loaded machine one round now and then carries a
        // one-off of the runtime's (208 B once in CI: the first send whose TLS write completed asynchronously that way).
        Assert.Equal(0, rounds.Min(f => f.SenderBytes));
        Assert.All(rounds, f => Assert.True(f.SenderBytes < 1_024, $"{f.SenderBytes} B on the sender thread over {RoundTrips} round trips"));
        // The client's reader loop and the server's SslStream share the process figure: a per-request object on
        // either side (24 B at least) would show in every round.
        Assert.True(rounds.Min(f => f.ProcessBytes) < RoundTrips * 16, $"{rounds.Min(f => f.ProcessBytes)} B over {RoundTrips} round trips");
    }
}
