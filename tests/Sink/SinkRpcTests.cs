using System.Net;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Sink;

namespace FastLoad.Tests.Sink;

/// <summary>The sink's JSON-RPC answers, over HTTP from a plain HttpClient.</summary>
public class SinkRpcTests(SinkServerFixture sink) : IClassFixture<SinkServerFixture>
{
    [Fact]
    public async Task Batch_of_signed_txs_answers_each_with_the_hash_the_signer_computed()
    {
        var txs = Enumerable.Range(0, 100).Select(i => SinkTestTxs.SignHex((ulong)i)).ToArray();
        string body = "[" + string.Join(",", txs.Select((tx, i) => SinkTestTxs.SendRaw(i + 1, tx.RawHex))) + "]";
        JsonElement answer = await sink.PostAsync(body);
        Assert.Equal(JsonValueKind.Array, answer.ValueKind);
        Assert.Equal(100, answer.GetArrayLength());
        for (int i = 0; i < 100; i++)
        {
            JsonElement entry = answer[i];
            Assert.Equal("2.0", entry.GetProperty("jsonrpc").GetString());
            Assert.Equal(i + 1, entry.GetProperty("id").GetInt32());
            Assert.Equal(txs[i].Hash, entry.GetProperty("result").GetString());
        }
    }

    [Fact]
    public async Task Malformed_and_non_hex_txs_get_their_own_errors_and_the_rest_are_accepted()
    {
        (string good1, string hash1) = SinkTestTxs.SignHex(1000);
        (string good2, string hash2) = SinkTestTxs.SignHex(1001);
        string truncated = good1[..^4];
        string body = "[" + string.Join(",",
            SinkTestTxs.SendRaw(1, good1),
            SinkTestTxs.SendRaw(2, truncated),
            SinkTestTxs.SendRaw(3, "0xzz"),
            SinkTestTxs.SendRaw(4, good2[2..]),                 // no 0x prefix
            SinkTestTxs.SendRaw(5, "0x03" + good2[4..]),        // unknown tx type
            """{"jsonrpc":"2.0","id":6,"method":"eth_sendRawTransaction","params":[]}""",
            SinkTestTxs.SendRaw(7, good2)) + "]";
        JsonElement answer = await sink.PostAsync(body);
        Assert.Equal(7, answer.GetArrayLength());
        Assert.Equal(hash1, answer[0].GetProperty("result").GetString());
        AssertError(answer[1], 2, -32000, "rlp: invalid transaction");
        AssertError(answer[2], 3, -32602, "invalid argument 0");
        AssertError(answer[3], 4, -32602, "invalid argument 0");
        AssertError(answer[4], 5, -32000, "transaction type not supported");
        AssertError(answer[5], 6, -32602, "missing value");
        Assert.Equal(hash2, answer[6].GetProperty("result").GetString());
    }

    private static void AssertError(JsonElement entry, int id, int code, string messageStart)
    {
        Assert.Equal(id, entry.GetProperty("id").GetInt32());
        Assert.False(entry.TryGetProperty("result", out _));
        JsonElement error = entry.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.StartsWith(messageStart, error.GetProperty("message").GetString());
    }

    public static TheoryData<string, string, string> FixedAnswers => new()
    {
        { "eth_chainId", "[]", "\"0x7a69\"" },
        { "net_version", "[]", "\"31337\"" },
        { "eth_getTransactionCount", "[\"0x000000000000000000000000000000000000dead\",\"pending\"]", "\"0x0\"" },
        { "eth_gasPrice", "[]", "\"0x3b9aca00\"" },
        { "eth_maxPriorityFeePerGas", "[]", "\"0x3b9aca00\"" },
        { "eth_getBalance", "[\"0x000000000000000000000000000000000000dead\",\"latest\"]", "\"0xffffffffffffffffffffffffffffff\"" },
        { "eth_blockNumber", "[]", "\"0x0\"" },
        { "eth_estimateGas", "[{\"to\":\"0x000000000000000000000000000000000000dead\",\"value\":\"0x1\"}]", "\"0x5208\"" },
    };

    [Theory]
    [MemberData(nameof(FixedAnswers))]
    public async Task Each_method_answers_its_documented_value(string method, string parameters, string expected)
    {
        JsonElement answer = await sink.PostAsync($$"""{"jsonrpc":"2.0","id":42,"method":"{{method}}","params":{{parameters}}}""");
        Assert.Equal(42, answer.GetProperty("id").GetInt32());
        Assert.Equal(expected, answer.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Latest_block_is_a_minimal_block_with_a_1_gwei_base_fee()
    {
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonElement block = (await sink.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}"""))
            .GetProperty("result");
        Assert.Equal("0x0", block.GetProperty("number").GetString());
        Assert.Matches("^0x[0-9a-f]{64}$", block.GetProperty("hash").GetString());
        Assert.Equal("0x3b9aca00", block.GetProperty("baseFeePerGas").GetString());
        Assert.Equal("0x1c9c380", block.GetProperty("gasLimit").GetString());
        Assert.Equal("0x0", block.GetProperty("gasUsed").GetString());
        Assert.Equal(0, block.GetProperty("transactions").GetArrayLength());
        long timestamp = Convert.ToInt64(block.GetProperty("timestamp").GetString()![2..], 16);
        Assert.InRange(timestamp, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Chain_id_is_the_configured_one()
    {
        await using var server = SinkServer.Start(new SinkOptions { Port = 0, ChainId = 1 });
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var content = new StringContent("""[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"net_version"}]""");
        string text = await (await http.PostAsync(server.Url, content)).Content.ReadAsStringAsync();
        Assert.Equal("""[{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"result":"1"}]""", text);
    }

    [Fact]
    public async Task Unknown_method_is_error_32601()
    {
        JsonElement answer = await sink.PostAsync("""{"jsonrpc":"2.0","id":"x","method":"eth_mine","params":[]}""");
        Assert.Equal("x", answer.GetProperty("id").GetString());
        Assert.Equal(-32601, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("method not found", answer.GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId" """)]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId"} x""")]
    [InlineData("")]
    public async Task Invalid_json_is_error_32700_with_id_null(string body)
    {
        JsonElement answer = await sink.PostAsync(body);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("id").ValueKind);
        Assert.Equal(-32700, answer.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Ids_are_echoed_exactly_as_sent()
    {
        using var content = new StringContent("""
            [{"id":1.50e3,"jsonrpc":"2.0","method":"eth_blockNumber"},
             {"jsonrpc":"2.0","method":"eth_blockNumber","id":"a\"b\u00e9"},
             {"jsonrpc":"2.0","method":"eth_blockNumber","id":null},
             {"jsonrpc":"2.0","method":"eth_blockNumber","id":-7}]
            """);
        string text = await (await sink.Http.PostAsync(sink.Server.Url, content)).Content.ReadAsStringAsync();
        Assert.Equal("""[{"jsonrpc":"2.0","id":1.50e3,"result":"0x0"},{"jsonrpc":"2.0","id":"a\"b\u00e9","result":"0x0"},{"jsonrpc":"2.0","id":null,"result":"0x0"},{"jsonrpc":"2.0","id":-7,"result":"0x0"}]""", text);
    }

    [Fact]
    public async Task Params_before_method_and_escaped_strings_are_understood()
    {
        (string raw, string hash) = SinkTestTxs.SignHex(7);
        string escaped = raw.Replace("0x", "\\u0030x");
        JsonElement answer = await sink.PostAsync($$"""{"params":["{{escaped}}"],"id":3,"method":"eth_send\u0052awTransaction","jsonrpc":"2.0"}""");
        Assert.Equal(hash, answer.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Invalid_requests_and_notifications_follow_json_rpc()
    {
        (string raw, _) = SinkTestTxs.SignHex(8);
        using var content = new StringContent($$"""
            [1, {"jsonrpc":"2.0","id":{"a":1},"method":"eth_chainId"}, {"jsonrpc":"2.0","id":9},
             {"jsonrpc":"2.0","method":"eth_sendRawTransaction","params":["{{raw}}"]}]
            """);
        string text = await (await sink.Http.PostAsync(sink.Server.Url, content)).Content.ReadAsStringAsync();
        const string invalid = """{"code":-32600,"message":"invalid request"}""";
        // The notification (no id) is carried out but not answered.
        Assert.Equal($$"""[{"jsonrpc":"2.0","id":null,"error":{{invalid}}},{"jsonrpc":"2.0","id":null,"error":{{invalid}}},{"jsonrpc":"2.0","id":9,"error":{{invalid}}}]""", text);

        JsonElement empty = await sink.PostAsync("[]");
        Assert.Equal(-32600, empty.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Chunked_request_body_is_read_like_a_sized_one()
    {
        (string raw, string hash) = SinkTestTxs.SignHex(9);
        byte[] json = Encoding.UTF8.GetBytes(SinkTestTxs.SendRaw(1, raw));
        using var content = new StreamContent(new MemoryStream(json));   // no length: HttpClient sends it chunked
        using var request = new HttpRequestMessage(HttpMethod.Post, sink.Server.Url) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using HttpResponseMessage response = await sink.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(hash, answer.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Counters_add_up_accepted_and_rejected_txs_and_requests()
    {
        await using var server = SinkServer.Start(new SinkOptions { Port = 0 });
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        string body = "[" + string.Join(",", Enumerable.Range(0, 10).Select(i => SinkTestTxs.SendRaw(i, SinkTestTxs.SignHex((ulong)i).RawHex))) +
            "," + SinkTestTxs.SendRaw(10, "0x02c0") + "]";
        for (int i = 0; i < 3; i++)
        {
            using var content = new StringContent(body);
            (await http.PostAsync(server.Url, content)).EnsureSuccessStatusCode();
        }
        SinkSnapshot totals = server.Counters.Snapshot();
        Assert.Equal(30, totals.Accepted);
        Assert.Equal(3, totals.Rejected);
        Assert.Equal(3, totals.Requests);
        Assert.Equal(1, totals.Connections);
    }

    [Fact]
    public void Refuses_a_non_loopback_address_unless_allowed()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => SinkServer.Start(new SinkOptions { Address = IPAddress.Any, Port = 0 }));
        Assert.Contains("loopback", error.Message);
    }
}
