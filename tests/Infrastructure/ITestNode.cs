using System.Text.Json.Nodes;

namespace FastLoad.Tests.Infrastructure;

/// <summary>A real node a test started (anvil, hardhat): its URL and a plain JSON-RPC client for assertions.</summary>
public interface ITestNode : IAsyncDisposable
{
    /// <summary>Short name for messages, e.g. "anvil".</summary>
    string Name { get; }

    Uri Url { get; }

    /// <summary>Calls a JSON-RPC method; throws with the node's message on an error reply.</summary>
    Task<JsonNode?> CallAsync(string method, params object?[] parameters);
}

public static class TestNodeExtensions
{
    public static async Task<ulong> NonceAsync(this ITestNode node, string address, string block) =>
        Convert.ToUInt64((await node.CallAsync("eth_getTransactionCount", address, block))!.GetValue<string>(), 16);

    /// <summary>
    /// Waits (100 ms steps, at most <paramref name="timeout"/>) until no address has a tx left in the node's pool
    /// (its pending nonce equals its latest); returns the addresses that still have one.
    /// </summary>
    public static async Task<List<string>> WaitUntilSettledAsync(this ITestNode node, IReadOnlyList<string> addresses, TimeSpan timeout)
    {
        var unsettled = new List<string>(addresses);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var still = new List<string>();
            foreach (string address in unsettled)
                if (await node.NonceAsync(address, "latest") != await node.NonceAsync(address, "pending")) still.Add(address);
            unsettled = still;
            if (unsettled.Count == 0 || clock.Elapsed > timeout) return unsettled;
            await Task.Delay(100);
        }
    }
}
