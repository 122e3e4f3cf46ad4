using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FastLoad.Tests.Infrastructure;

/// <summary>A plain JSON-RPC call for assertions against a test node (independent of the engine's own client).</summary>
public static class TestRpc
{
    private static long _id;

    public static async Task<JsonNode?> CallAsync(HttpClient http, Uri url, string method, object?[] parameters)
    {
        var request = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = Interlocked.Increment(ref _id),
            ["method"] = method,
            ["params"] = JsonSerializer.SerializeToNode(parameters),
        };
        using HttpResponseMessage response = await http.PostAsJsonAsync(url, request);
        JsonNode reply = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        if (reply["error"] is JsonNode error)
            throw new RpcErrorException(method, error["code"]?.GetValue<int>() ?? 0, error["message"]?.GetValue<string>() ?? error.ToJsonString());
        return reply["result"];
    }
}

/// <summary>A JSON-RPC error reply, with the node's own code and message.</summary>
public sealed class RpcErrorException(string method, int code, string message) : InvalidOperationException($"{method}: {code} {message}")
{
    public int Code { get; } = code;

    public string RpcMessage { get; } = message;
}
