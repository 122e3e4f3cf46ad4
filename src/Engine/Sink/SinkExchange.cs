using System.Text;
using System.Text.Json;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Sink;

/// <summary>
/// The JSON work of the fault and proxy path (cold: it parses with <see cref="JsonDocument"/> and allocates): take the
/// txs that get a <c>tx-error</c> out of the request, answer the rest locally or through the upstream node, put the
/// injected errors back in request order, and the reply rewrites of the malformed, missing-ids and extra-ids faults.
/// </summary>
internal static class SinkExchange
{
    /// <summary>The id of the entry <c>extra-ids</c> adds: 2^53 − 1, which no client hands out in practice.</summary>
    public const long UnknownId = 9_007_199_254_740_991;

    /// <summary>An answer: the status line after "HTTP/1.1 ", the body, and the txs counted as accepted or rejected.</summary>
    public readonly record struct Reply(string StatusLine, byte[] Body, int Accepted, int Rejected);

    /// <summary>One entry of the request.</summary>
    private sealed record Call(string? Id, bool IsSendRaw, int Injected, byte[]? InjectedEntry);

    public static async Task<Reply> AnswerAsync(SinkServer server, SinkRpcProcessor processor, byte[] body, long number)
    {
        SinkFaultPlan? plan = server.Options.Faults;
        SinkUpstream? upstream = server.Upstream;
        bool split = upstream is not null || plan is { TxErrors.Count: > 0 };
        if (!split) return Local(processor, body);

        List<Call>? calls = Split(body, plan, number, server.Faults, out bool isBatch, out byte[]? forward);
        if (calls is null)
        {
            // Not JSON: the node (or the local processor) answers it as it would.
            return upstream is null ? Local(processor, body) : await upstream.ForwardAsync(body).ConfigureAwait(false);
        }
        Reply inner = forward is null ? new Reply("200 OK", [], 0, 0)
            : upstream is null ? Local(processor, forward)
            : await upstream.ForwardAsync(forward).ConfigureAwait(false);
        return Merge(calls, isBatch, forward is not null, inner);
    }

    private static Reply Local(SinkRpcProcessor processor, byte[] body)
    {
        byte[] answer = processor.Process(body).ToArray();
        return new Reply("200 OK", answer, processor.Accepted, processor.Rejected);
    }

    /// <summary>Parses the request, draws each <c>eth_sendRawTransaction</c>'s tx error, and builds the body of the calls left; null if not JSON.</summary>
    private static List<Call>? Split(byte[] body, SinkFaultPlan? plan, long number, SinkFaultCounts? counts, out bool isBatch, out byte[]? forward)
    {
        isBatch = false;
        forward = body;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            isBatch = root.ValueKind == JsonValueKind.Array;
            var calls = new List<Call>();
            var kept = new List<string>();
            int txIndex = 0;
            foreach (JsonElement element in isBatch ? root.EnumerateArray() : Enumerable.Repeat(root, 1))
            {
                string? id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id"u8, out JsonElement idElement) ? idElement.GetRawText() : null;
                bool isSendRaw = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("method"u8, out JsonElement method)
                    && method.ValueKind == JsonValueKind.String && method.ValueEquals("eth_sendRawTransaction"u8);
                int injected = isSendRaw && plan is not null ? plan.DrawTx(number, txIndex++) : -1;
                byte[]? entry = null;
                if (injected >= 0)
                {
                    counts?.AddTxError(injected);
                    entry = ErrorEntry(id ?? "null", plan!.TxErrors[injected], element);
                }
                else
                {
                    kept.Add(element.GetRawText());
                }
                calls.Add(new Call(id, isSendRaw, injected, entry));
            }
            if (kept.Count == 0) forward = null;
            else if (kept.Count < calls.Count) forward = Encoding.UTF8.GetBytes(isBatch ? "[" + string.Join(",", kept) + "]" : kept[0]);
            return calls;
        }
    }

    /// <summary>Puts the injected errors back among the answers, in request order, and counts the txs.</summary>
    private static Reply Merge(List<Call> calls, bool isBatch, bool forwarded, Reply inner)
    {
        if (!isBatch)
        {
            Call call = calls[0];
            if (call.Injected >= 0) return new Reply("200 OK", call.Id is null ? [] : call.InjectedEntry!, 0, 1);
            (int a, int r) = call.IsSendRaw ? CountOne(inner.Body) : (0, 0);
            return inner with { Accepted = a, Rejected = r };
        }

        // Entries by id, as the node wrote them; a batch-level answer (an error object, not JSON) is passed on as it is.
        var byId = new Dictionary<string, Queue<string>>();
        var unmatched = new List<string>();
        if (forwarded)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(inner.Body);
                if (document.RootElement.ValueKind != JsonValueKind.Array) return inner with { Rejected = calls.Count(c => c.Injected >= 0) };
                foreach (JsonElement entry in document.RootElement.EnumerateArray())
                {
                    if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("id"u8, out JsonElement id))
                    {
                        string key = id.GetRawText();
                        if (!byId.TryGetValue(key, out Queue<string>? queue)) byId[key] = queue = new Queue<string>();
                        queue.Enqueue(entry.GetRawText());
                    }
                    else
                    {
                        unmatched.Add(entry.GetRawText());
                    }
                }
            }
            catch (JsonException)
            {
                return inner with { Rejected = calls.Count(c => c.Injected >= 0) };
            }
        }
        var parts = new List<string>();
        int accepted = 0, rejected = 0;
        foreach (Call call in calls)
        {
            if (call.Injected >= 0)
            {
                rejected++;
                if (call.Id is not null) parts.Add(Encoding.UTF8.GetString(call.InjectedEntry!));
                continue;
            }
            if (call.Id is null || !byId.TryGetValue(call.Id, out Queue<string>? answers) || answers.Count == 0) continue;
            string answer = answers.Dequeue();
            if (call.IsSendRaw)
            {
                (int a, int r) = CountOne(Encoding.UTF8.GetBytes(answer));
                accepted += a;
                rejected += r;
            }
            parts.Add(answer);
        }
        foreach (Queue<string> left in byId.Values) parts.AddRange(left);
        parts.AddRange(unmatched);
        byte[] body = parts.Count == 0 ? [] : Encoding.UTF8.GetBytes("[" + string.Join(",", parts) + "]");
        return new Reply(forwarded ? inner.StatusLine : "200 OK", body, accepted, rejected);
    }

    /// <summary>(1, 0) for an entry with a result, (0, 1) for one with an error.</summary>
    private static (int Accepted, int Rejected) CountOne(byte[] entry)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(entry);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return (0, 0);
            if (document.RootElement.TryGetProperty("error"u8, out JsonElement error) && error.ValueKind != JsonValueKind.Null) return (0, 1);
            return document.RootElement.TryGetProperty("result"u8, out _) ? (1, 0) : (0, 0);
        }
        catch (JsonException)
        {
            return (0, 0);
        }
    }

    /// <summary>{"jsonrpc":"2.0","id":ID,"error":{"code":C,"message":"…"}} with the client's words; {hash} is the tx's hash.</summary>
    private static byte[] ErrorEntry(string id, TxErrorRule rule, JsonElement call)
    {
        string message = rule.Message;
        if (message.Contains("{hash}", StringComparison.Ordinal)) message = message.Replace("{hash}", TxHash(call), StringComparison.Ordinal);
        using var buffer = new MemoryStream(160);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc"u8, "2.0"u8);
            writer.WritePropertyName("id"u8);
            writer.WriteRawValue(id, skipInputValidation: true);
            writer.WriteStartObject("error"u8);
            writer.WriteNumber("code"u8, rule.Code);
            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>keccak256 of the call's raw tx, 0x-hex; zeros when the parameter is not hex.</summary>
    private static string TxHash(JsonElement call)
    {
        Span<byte> hash = stackalloc byte[32];
        hash.Clear();
        if (call.TryGetProperty("params"u8, out JsonElement parameters) && parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() > 0
            && parameters[0].ValueKind == JsonValueKind.String && Hex.TryDecode(parameters[0].GetString()!, out byte[] raw))
        {
            Keccak256.Hash(raw, hash);
        }
        return Hex.ToPrefixedString(hash);
    }

    /// <summary>The first half of the body: a JSON value cut short (at least "{" when the body is empty).</summary>
    public static byte[] Malformed(byte[] body) => body.Length < 2 ? "{"u8.ToArray() : body.AsSpan(0, body.Length / 2).ToArray();

    /// <summary>The batch reply without about half of its entries (at least one, drawn from the seed); null when it is not a non-empty array.</summary>
    public static byte[]? DropIds(byte[] body, ulong seed, long number)
    {
        List<string>? entries = Entries(body);
        if (entries is null || entries.Count == 0) return null;
        var kept = new List<string>(entries.Count);
        int forced = (int)(SinkFaultPlan.Uniform(seed, (ulong)number, 0xD809) * entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            if (i != forced && SinkFaultPlan.Uniform(seed, (ulong)number, 0xD80A + (ulong)i) >= 0.5) kept.Add(entries[i]);
        }
        return Encoding.UTF8.GetBytes("[" + string.Join(",", kept) + "]");
    }

    /// <summary>The batch reply with one more entry, for <see cref="UnknownId"/>; null when it is not an array.</summary>
    public static byte[]? AddUnknownId(byte[] body)
    {
        List<string>? entries = Entries(body);
        if (entries is null) return null;
        entries.Add($"{{\"jsonrpc\":\"2.0\",\"id\":{UnknownId},\"result\":\"0x{new string('0', 64)}\"}}");
        return Encoding.UTF8.GetBytes("[" + string.Join(",", entries) + "]");
    }

    private static List<string>? Entries(byte[] body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Array) return null;
            var entries = new List<string>();
            foreach (JsonElement entry in document.RootElement.EnumerateArray()) entries.Add(entry.GetRawText());
            return entries;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
