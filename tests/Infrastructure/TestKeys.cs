using FastLoad.Engine.Signing;

namespace FastLoad.Tests.Infrastructure;

/// <summary>Keys the tests derive wallets from.</summary>
public static class TestKeys
{
    /// <summary>The funder of the runs against anvil (its first dev account); wallets derive from it and the seed.</summary>
    public static PrivateKey Funder { get; } = ParseFunder();

    private static PrivateKey ParseFunder()
    {
        if (!PrivateKey.TryParse(AnvilNode.DevKey, out PrivateKey key)) throw new InvalidOperationException("anvil's dev key does not parse");
        return key;
    }
}
