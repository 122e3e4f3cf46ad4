using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;

namespace FastLoad.Tests.Transactions;

/// <summary>The signing hot path allocates nothing: encode, hash, sign, envelope, tx hash, hex.</summary>
public class SigningAllocationTests
{
    private static readonly PrivateKey Key = DeterministicKeys.Derive("alloc-test", 0);
    private static readonly Address Recipient = Address.Parse("0x000000000000000000000000000000000000dead");
    private static readonly ReadOnlyMemory<AccessListItem> AccessList = new[]
    {
        new AccessListItem(Recipient, new[] { new Hash256(new byte[32]), new Hash256(Enumerable.Repeat((byte)7, 32).ToArray()) }),
    };

    private static long MeasureAllocations(Action action, int iterations)
    {
        action(); // warm up: JIT, static constructors
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < iterations; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Signing_a_dynamic_fee_tx_with_hex_output_allocates_nothing()
    {
        byte[] envelope = new byte[512];
        byte[] hash = new byte[32];
        byte[] hex = new byte[1100];
        ulong nonce = 0;
        long allocated = MeasureAllocations(() =>
        {
            var tx = new DynamicFeeTransaction
            {
                ChainId = 31337, Nonce = nonce++, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 30_000_000_000,
                GasLimit = 21_000, To = Recipient, Value = 1, AccessList = AccessList,
            };
            int length = TransactionSigner.Sign(tx, Key, envelope, hash);
            Hex.WritePrefixedUtf8(envelope.AsSpan(0, length), hex);
        }, 2000);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Signing_legacy_and_7702_txs_allocates_nothing()
    {
        byte[] envelope = new byte[512];
        byte[] hash = new byte[32];
        var authority = DeterministicKeys.Derive("alloc-test", 1);
        ReadOnlyMemory<SignedAuthorization> authorizations = new[] { new Authorization { ChainId = 31337, Address = Recipient, Nonce = 0 }.Sign(authority) };
        long allocated = MeasureAllocations(() =>
        {
            var legacy = new LegacyTransaction { ChainId = 1, Nonce = 5, GasPrice = 1, GasLimit = 21_000, To = Recipient, Value = 1 };
            TransactionSigner.Sign(legacy, Key, envelope, hash);
            var setCode = new SetCodeTransaction
            {
                ChainId = 31337, Nonce = 1, MaxPriorityFeePerGas = 1, MaxFeePerGas = 2, GasLimit = 100_000, To = Recipient,
                AuthorizationList = authorizations,
            };
            TransactionSigner.Sign(setCode, Key, envelope, hash);
        }, 1000);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Generated_length_matches_bytes_written_for_every_tx_type()
    {
        var authority = DeterministicKeys.Derive("alloc-test", 2);
        var tx = new SetCodeTransaction
        {
            ChainId = 1, Nonce = 300, MaxPriorityFeePerGas = 1, MaxFeePerGas = UInt256.MaxValue, GasLimit = 1 << 20, To = Recipient,
            Data = new byte[100], AccessList = AccessList,
            AuthorizationList = new[] { new Authorization { ChainId = 0, Address = Recipient, Nonce = 9 }.Sign(authority) },
        };
        var counter = new RlpLengthCounter();
        tx.EncodeRlp(ref counter);
        Assert.Equal(tx.GetRlpLength(), counter.Length);
        var buffer = new byte[tx.GetRlpLength()];
        var writer = new SpanRlpWriter(buffer);
        tx.EncodeRlp(ref writer);
        Assert.Equal(buffer.Length, writer.Position);
    }

    [Fact]
    public void Signed_tx_decodes_to_the_same_fields_and_sender()
    {
        byte[] envelope = new byte[512];
        byte[] hash = new byte[32];
        var tx = new AccessListTransaction { ChainId = 5, Nonce = 77, GasPrice = 123456789, GasLimit = 50_000, To = null, Value = 0, Data = new byte[] { 0x60, 0x00 }, AccessList = AccessList };
        int length = TransactionSigner.Sign(tx, Key, envelope, hash);
        DecodedTransaction decoded = TransactionDecoder.Decode(envelope.AsSpan(0, length));
        var body = Assert.IsType<AccessListTransaction>(decoded.Body);
        Assert.Equal(77ul, body.Nonce);
        Assert.Null(body.To);
        Assert.Equal(1, body.AccessList.Length);
        Assert.Equal(2, body.AccessList.Span[0].StorageKeys.Length);
        Assert.True(decoded.TryRecoverSender(out Address sender));
        Assert.Equal(Key.Address, sender);
        Assert.Equal(Convert.ToHexStringLower(hash), decoded.Hash.ToString()[2..]);
    }

    [Fact]
    public void Rejects_private_key_of_zero_and_above_curve_order()
    {
        Assert.False(PrivateKey.TryParse("0x" + new string('0', 64), out _));
        Assert.False(PrivateKey.TryParse("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", out _));
        Assert.True(PrivateKey.TryParse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", out PrivateKey key));
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", Checksum.ToChecksumString(key.Address));
    }
}
