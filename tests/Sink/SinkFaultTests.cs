using System.Net;
using System.Text.Json;
using FastLoad.Engine.Sink;

namespace FastLoad.Tests.Sink;

/// <summary>
/// <c>fastload sink --faults</c> in process: each fault, at 10 % with a fixed seed over 1000 requests, shows up on the
/// wire as that fault, about 100 times (70–130), exactly as often as the sink counted it.
/// </summary>
public class SinkFaultTests
{
    private const int Requests = 1000;
    private const ulong Seed = 20261129;

    private static readonly (string Raw, string Hash) Tx = SinkTestTxs.SignHex(0);

    private static string OneTx(int id) => SinkTestTxs.SendRaw(id, Tx.Raw);

    private static string Batch(int firstId, int count) =>
        "[" + string.Join(",", Enumerable.Range(firstId, count).Select(OneTx)) + "]";

    /// <summary>Sends <see cref="Requests"/> bodies one after another and counts the responses that <paramref name="isFault"/> says show the fault.</summary>
    private static async Task<(int Seen, SinkServer Server)> RunAsync(string spec, Func<int, string> body, Func<RawResponse, bool> isFault)
    {
        SinkServer server = SinkServer.Start(new SinkOptions { Address = IPAddress.Loopback, Port = 0, Faults = SinkFaultPlan.Parse(spec, Seed) });
        using var client = new RawHttpClient(server.Url);
        int seen = 0;
        for (int i = 0; i < Requests; i++)
        {
            RawResponse response = await client.PostAsync(body(i));
            if (isFault(response)) seen++;
            else Assert.True(response is { Outcome: RawOutcome.Response, Status: 200 }, $"request {i}: {response.Outcome} {response.Status} {response.Text}");
        }
        return (seen, server);
    }

    private static async Task AssertRateAsync(string spec, string name, Func<int, string> body, Func<RawResponse, bool> isFault)
    {
        (int seen, SinkServer server) = await RunAsync(spec, body, isFault);
        await using (server)
        {
            Assert.InRange(seen, 70, 130);
            Assert.Equal(seen, server.Faults![name]);
            Assert.Equal(seen, server.Faults.Total);
            Assert.Equal(Requests, server.Counters.Requests);
        }
    }

    [Fact]
    public Task Http_429_with_retry_after() => AssertRateAsync("429:10%:retry-after=2", "429", OneTx,
        r => r.Status == 429 && r.Headers["Retry-After"] == "2");

    [Fact]
    public Task Http_500() => AssertRateAsync("500:10%", "500", OneTx, r => r.Status == 500);

    [Fact]
    public Task Http_503() => AssertRateAsync("503:10%:retry-after=5", "503", OneTx, r => r.Status == 503 && r.Headers["Retry-After"] == "5");

    [Fact]
    public async Task Reset_before_does_not_process_the_request()
    {
        (int seen, SinkServer server) = await RunAsync("reset-before:10%", OneTx, r => r.Outcome == RawOutcome.Reset);
        await using (server)
        {
            Assert.InRange(seen, 70, 130);
            Assert.Equal(seen, server.Faults!["reset-before"]);
            Assert.Equal(Requests - seen, server.Counters.Accepted);   // the reset ones never reached the node
        }
    }

    [Fact]
    public async Task Reset_after_processes_the_request_but_never_answers()
    {
        (int seen, SinkServer server) = await RunAsync("reset-after:10%", OneTx, r => r.Outcome == RawOutcome.Reset);
        await using (server)
        {
            Assert.InRange(seen, 70, 130);
            Assert.Equal(seen, server.Faults!["reset-after"]);
            Assert.Equal(Requests, server.Counters.Accepted);   // every tx reached the node, answered or not
        }
    }

    [Fact]
    public Task Cut_closes_in_the_middle_of_the_body() => AssertRateAsync("cut:10%", "cut", OneTx, r => r.Outcome == RawOutcome.Cut);

    [Fact]
    public async Task Slow_holds_the_answer_for_the_delay()
    {
        (int seen, SinkServer server) = await RunAsync("slow:10%:delay=60ms", OneTx, r => r.Elapsed >= TimeSpan.FromMilliseconds(50));   // timers may fire a little early
        await using (server)
        {
            long injected = server.Faults!["slow"];
            Assert.InRange(injected, 70, 130);
            // Every slowed answer took the delay; an unslowed one may too on a busy machine, rarely.
            Assert.InRange(seen, injected, injected + 10);
        }
    }

    [Fact]
    public Task Malformed_answers_200_with_a_body_that_is_not_json() => AssertRateAsync("malformed:10%", "malformed", OneTx, r =>
    {
        if (r is not { Outcome: RawOutcome.Response, Status: 200 }) return false;
        try
        {
            JsonDocument.Parse(r.Body).Dispose();
            return false;
        }
        catch (JsonException)
        {
            return true;
        }
    });

    [Fact]
    public Task Missing_ids_drops_entries_of_a_batch_reply() => AssertRateAsync("missing-ids:10%", "missing-ids", i => Batch(i * 4, 4), r =>
    {
        using JsonDocument reply = JsonDocument.Parse(r.Body);
        int entries = reply.RootElement.GetArrayLength();
        Assert.InRange(entries, 0, 4);
        return entries < 4;
    });

    [Fact]
    public Task Extra_ids_adds_an_entry_nobody_asked_for() => AssertRateAsync("extra-ids:10%", "extra-ids", i => Batch(i * 4, 4), r =>
    {
        using JsonDocument reply = JsonDocument.Parse(r.Body);
        JsonElement[] entries = [.. reply.RootElement.EnumerateArray()];
        Assert.InRange(entries.Length, 4, 5);
        if (entries.Length == 4) return false;
        Assert.Equal(9_007_199_254_740_991, entries[4].GetProperty("id").GetInt64());
        return true;
    });

    [Fact]
    public async Task Tx_error_answers_the_clients_words_per_tx_and_the_other_txs_of_the_batch_their_hash()
    {
        await using SinkServer server = SinkServer.Start(new SinkOptions
        {
            Address = IPAddress.Loopback, Port = 0, Faults = SinkFaultPlan.Parse("tx-error:nonce-too-low:hardhat:10%", Seed),
        });
        using var client = new RawHttpClient(server.Url);
        int errors = 0, hashes = 0;
        for (int request = 0; request < 100; request++)
        {
            RawResponse response = await client.PostAsync(Batch(request * 10, 10));
            Assert.Equal(200, response.Status);
            using JsonDocument reply = JsonDocument.Parse(response.Body);
            JsonElement[] entries = [.. reply.RootElement.EnumerateArray()];
            Assert.Equal(Enumerable.Range(request * 10, 10), entries.Select(e => e.GetProperty("id").GetInt32()));   // in request order
            foreach (JsonElement entry in entries)
            {
                if (entry.TryGetProperty("error", out JsonElement error))
                {
                    errors++;
                    Assert.Equal(-32000, error.GetProperty("code").GetInt32());
                    Assert.Equal("Nonce too low. Expected nonce to be 3 but got 1. Note that transactions can't be queued when automining.", error.GetProperty("message").GetString());
                }
                else
                {
                    hashes++;
                    Assert.Equal(Tx.Hash, entry.GetProperty("result").GetString());
                }
            }
        }
        Assert.InRange(errors, 70, 130);
        Assert.Equal(1000, errors + hashes);
        Assert.Equal(errors, server.Faults!["tx-error:nonce-too-low:hardhat"]);
        Assert.Equal(hashes, server.Counters.Accepted);
        Assert.Equal(errors, server.Counters.Rejected);
    }

    [Fact]
    public async Task Hardhat_already_known_names_the_tx_hash()
    {
        await using SinkServer server = SinkServer.Start(new SinkOptions
        {
            Address = IPAddress.Loopback, Port = 0, Faults = SinkFaultPlan.Parse("tx-error:already-known:hardhat:100%", Seed),
        });
        using var client = new RawHttpClient(server.Url);
        RawResponse response = await client.PostAsync(OneTx(7));
        using JsonDocument reply = JsonDocument.Parse(response.Body);
        Assert.Equal(7, reply.RootElement.GetProperty("id").GetInt32());
        Assert.Equal($"Known transaction: {Tx.Hash}", reply.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_requests_the_same_faults()
    {
        async Task<string> PatternAsync()
        {
            await using SinkServer server = SinkServer.Start(new SinkOptions { Address = IPAddress.Loopback, Port = 0, Faults = SinkFaultPlan.Parse("503:20%,500:20%", Seed) });
            using var client = new RawHttpClient(server.Url);
            var statuses = new List<int>();
            for (int i = 0; i < 200; i++) statuses.Add((await client.PostAsync(OneTx(i))).Status);
            return string.Join(",", statuses);
        }
        string first = await PatternAsync();
        Assert.Equal(first, await PatternAsync());
        Assert.Contains("503", first);
        Assert.Contains("500", first);
    }
}
