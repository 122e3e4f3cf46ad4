using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastLoad.Engine.Rpc;
using FastLoad.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FastLoad.Tests.Rpc;

/// <summary>Process-wide allocation figures are only meaningful when nothing else runs: this collection runs alone.</summary>
[CollectionDefinition(nameof(RpcAllocationCollection), DisableParallelization = true)]
public sealed class RpcAllocationCollection;

/// <summary>The send path and the response reader allocate nothing per request in steady state.</summary>
[Collection(nameof(RpcAllocationCollection))]
public class RpcAllocationTests(ITestOutputHelper output)
{
    private const int RoundTrips = 1000;

    /// <summary>
    /// An in-test server that answers every fixed-size request with a canned response, allocating nothing per request
    /// itself (fixed buffers, socket ValueTask APIs), so the process-wide count is the client's.
    /// </summary>
    private sealed class CannedServer : IAsyncDisposable
    {
        private const int MaxBatch = 64;
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly int _requestLength;
        private readonly byte[] _responses;
        private readonly int _responseLength;

        /// <param name="bodyLength">Every request carries a body of exactly this length.</param>
        public CannedServer(int bodyLength, byte[] response)
        {
            _responseLength = response.Length;
            _responses = new byte[response.Length * MaxBatch];
            for (int i = 0; i < MaxBatch; i++) response.CopyTo(_responses, i * response.Length);
            _listener.Start();
            Endpoint = RpcEndpoint.Parse($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            // head prefix + Content-Length digits + CRLFCRLF + body
            _requestLength = Endpoint.RequestHeadPrefix.Length + bodyLength.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 4 + bodyLength;
            _loop = Task.Run(ServeAsync);
        }

        public RpcEndpoint Endpoint { get; }

        private async Task ServeAsync()
        {
            using Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
            socket.NoDelay = true;
            byte[] buffer = new byte[256 * 1024];
            long pending = 0;
            try
            {
                while (true)
                {
                    int read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (read == 0) return;
                    pending += read;
                    long complete = pending / _requestLength;
                    pending -= complete * _requestLength;
                    while (complete > 0)
                    {
                        int batch = (int)Math.Min(complete, MaxBatch);
                        await socket.SendAsync(_responses.AsMemory(0, batch * _responseLength), SocketFlags.None, _stop.Token);
                        complete -= batch;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
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
            catch (OperationCanceledException)
            {
            }
            _stop.Dispose();
        }
    }


    [Theory]
    [InlineData(1)] // strictly one at a time: every send after the first waits for a slot
    [InlineData(8)] // pipelined: most sends complete synchronously
    public async Task Round_trips_on_one_connection_allocate_nothing_per_request_after_warm_up(int maxInFlight)
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x02f86d827a6980843b9aca00850342770c0082520894000000000000000000000000000000000000dead0180c080a0"]}""");
        byte[] response = ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":1,"result":"0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c"}""");
        await using var canned = new CannedServer(body.Length, response);
        await using PipelinedHttpConnection connection =
            await PipelinedHttpConnection.ConnectAsync(canned.Endpoint, maxInFlight, TimeSpan.FromSeconds(30), CancellationToken.None);
        var handler = new CountingResponseHandler();

        // No synchronisation context inside: continuations run on the pool, as in a sender loop.
        // Three measured rounds; the process-wide figure takes the quietest one, since other tests' leftovers
        // (process output readers, timers) allocate at random moments, while a per-request object would
        // show in every round.
        RoundTripFigures[] rounds = await Task.Run(async () =>
        {
            await SendRoundTrips.RunAsync(connection, handler, body, 0, 3 * RoundTrips); // warm-up: JIT, pools, caches
            var measured = new RoundTripFigures[3];
            for (int r = 0; r < measured.Length; r++)
                measured[r] = await SendRoundTrips.RunAsync(connection, handler, body, (3 + r) * RoundTrips, RoundTrips);
            return measured;
        });
        RoundTripFigures figures = rounds.MinBy(f => f.ProcessBytes);
        Assert.All(rounds, f => Assert.Equal(0, f.SyncBytes + f.AsyncBytes)); // the sender thread: 0 B in every round

        output.WriteLine($"maxInFlight {maxInFlight}: {figures.Sync} sends completed synchronously ({figures.SyncBytes} B on the sender thread), "
                         + $"{figures.Async} waited ({figures.AsyncBytes} B on the sender thread before awaiting); "
                         + $"whole process over {RoundTrips} round trips: {figures.ProcessBytes} B = {figures.ProcessBytes / (double)RoundTrips:0.##} B/request");
        Assert.Equal(0, handler.Failures);
        Assert.Equal(RoundTrips, figures.Sync + figures.Async);
        Assert.Equal(0, figures.SyncBytes);
        Assert.Equal(0, figures.AsyncBytes);
        // Everything in the process (client send + reader loop + this server) over 1,000 round trips: a stray
        // runtime allocation (timer, thread pool growth) is tolerated; a per-request object (24 B at least) is not.
        Assert.True(figures.ProcessBytes < RoundTrips * 16, $"{figures.ProcessBytes} B allocated over {RoundTrips} round trips");
    }

    private struct CountingSink : IRpcEntrySink
    {
        public int Results;
        public int Errors;
        public int HashBytes;

        public void OnResult(long id, ReadOnlySpan<byte> resultRaw)
        {
            Results++;
            HashBytes += resultRaw.Length;
        }

        public void OnError(long id, int code, ReadOnlySpan<byte> message) => Errors++;
    }

    [Fact]
    public void Reading_a_100_entry_batch_allocates_nothing_single_or_multi_segment()
    {
        var json = new StringBuilder("[");
        for (int i = 0; i < 100; i++)
        {
            if (i > 0) json.Append(',');
            json.Append(i % 10 == 9
                ? "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"error\":{\"code\":-32003,\"message\":\"nonce too low\",\"data\":{\"x\":[1,2]}}}"
                : "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"result\":\"0x" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture) + "\"}");
        }
        json.Append(']');
        byte[] bytes = Encoding.UTF8.GetBytes(json.ToString());
        var single = new ReadOnlySequence<byte>(bytes);
        ReadOnlySequence<byte> multi = Segments.Split(bytes, Enumerable.Range(1, 40).Select(k => k * bytes.Length / 41).ToArray());

        foreach (ReadOnlySequence<byte> body in new[] { single, multi })
        {
            var sink = new CountingSink();
            Assert.True(JsonRpcResponseReader.TryRead(body, ref sink)); // warm-up
            Assert.Equal(90, sink.Results);
            Assert.Equal(10, sink.Errors);
            Assert.Equal(90 * 66, sink.HashBytes);

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                sink = new CountingSink();
                JsonRpcResponseReader.TryRead(body, ref sink);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"{(body.IsSingleSegment ? "single" : "multi")}-segment 100-entry batch: {allocated} B over 100 reads");
            Assert.Equal(0, allocated);
        }
    }
}
