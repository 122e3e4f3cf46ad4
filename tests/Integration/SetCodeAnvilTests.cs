using System.Text.Json.Nodes;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// EIP-7702 against a real anvil: our signed authorization and type-4 tx are accepted, mined and
/// executed — the authority's code becomes the delegation designator and calls run the delegate's code.
/// </summary>
public class SetCodeAnvilTests
{
    // Runtime code: PUSH1 0x2a PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 RETURN — returns 42 as a 32-byte word.
    // Init code: PUSH10 <runtime> PUSH1 0 MSTORE PUSH1 10 PUSH1 22 RETURN.
    private static readonly byte[] InitCode = Convert.FromHexString("69602a60005260206000f3600052600a6016f3");

    private static async Task<string> SignAndSendAsync<TTx>(AnvilNode node, TTx tx, PrivateKey key) where TTx : struct, ISignableTransaction
    {
        byte[] envelope = new byte[TransactionSigner.MaxSignedLength(tx)];
        byte[] hash = new byte[32];
        int length = TransactionSigner.Sign(tx, key, envelope, hash);
        JsonNode receipt = await node.SendRawAndWaitAsync(Hex.ToPrefixedString(envelope.AsSpan(0, length)));
        Assert.Equal("0x1", receipt["status"]!.GetValue<string>());
        Assert.Equal(Hex.ToPrefixedString(hash), receipt["transactionHash"]!.GetValue<string>());
        Assert.Equal(key.Address.ToString(), receipt["from"]!.GetValue<string>());
        return receipt["contractAddress"]?.GetValue<string>() ?? "";
    }

    [Fact]
    public async Task Anvil_accepts_and_executes_our_signed_7702_authorization_and_type_4_tx()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--hardfork", "prague");
        Assert.True(PrivateKey.TryParse(AnvilNode.DevKey, out PrivateKey sponsor));
        PrivateKey authority = DeterministicKeys.Derive("7702-test", 0);

        // 1. Deploy the delegate contract with our own signed EIP-1559 create tx.
        string delegate_ = await SignAndSendAsync(node, new DynamicFeeTransaction
        {
            ChainId = AnvilNode.ChainId, Nonce = 0, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 10_000_000_000,
            GasLimit = 200_000, To = null, Data = InitCode,
        }, sponsor);
        Assert.Equal("0x" + new string('0', 62) + "2a", (await node.CallAsync("eth_call", new { to = delegate_, data = "0x" }, "latest"))!.GetValue<string>());

        // 2. The authority (no funds, never sent a tx) signs an authorization; the sponsor sends the type-4 tx.
        var delegateAddress = Address.Parse(delegate_);
        SignedAuthorization signed = new Authorization { ChainId = AnvilNode.ChainId, Address = delegateAddress, Nonce = 0 }.Sign(authority);
        Assert.True(signed.TryRecoverAuthority(out Address recovered));
        Assert.Equal(authority.Address, recovered);
        await SignAndSendAsync(node, new SetCodeTransaction
        {
            ChainId = AnvilNode.ChainId, Nonce = 1, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 10_000_000_000,
            GasLimit = 100_000, To = authority.Address, AuthorizationList = new[] { signed },
        }, sponsor);

        // 3. Executed: the authority's code is the delegation designator 0xef0100 ‖ delegate, its nonce moved to 1,
        //    and calling the authority runs the delegate's code.
        string code = (await node.CallAsync("eth_getCode", authority.Address.ToString(), "latest"))!.GetValue<string>();
        Assert.Equal("0xef0100" + delegate_[2..].ToLowerInvariant(), code);
        Assert.Equal("0x1", (await node.CallAsync("eth_getTransactionCount", authority.Address.ToString(), "latest"))!.GetValue<string>());
        Assert.Equal("0x" + new string('0', 62) + "2a", (await node.CallAsync("eth_call", new { to = authority.Address.ToString(), data = "0x" }, "latest"))!.GetValue<string>());
    }

    [Fact]
    public async Task Anvil_accepts_our_legacy_eip155_and_2930_txs()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        Assert.True(PrivateKey.TryParse(AnvilNode.DevKey, out PrivateKey sender));
        var to = Address.Parse("0x000000000000000000000000000000000000dead");
        await SignAndSendAsync(node, new LegacyTransaction { ChainId = AnvilNode.ChainId, Nonce = 0, GasPrice = 10_000_000_000, GasLimit = 21_000, To = to, Value = 5 }, sender);
        await SignAndSendAsync(node, new AccessListTransaction
        {
            ChainId = AnvilNode.ChainId, Nonce = 1, GasPrice = 10_000_000_000, GasLimit = 30_000, To = to, Value = 7,
            AccessList = new[] { new AccessListItem(to, new[] { new Hash256(new byte[32]) }) },
        }, sender);
        Assert.Equal("0xc", (await node.CallAsync("eth_getBalance", to.ToString(), "latest"))!.GetValue<string>());
    }
}
