using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;

namespace FastLoad.Benchmarks;

/// <summary>Typical load-test transactions: transfers to one address, modest fees, chain 31337.</summary>
public static class Fixtures
{
    public static readonly PrivateKey Key = DeterministicKeys.Derive("bench", 0);
    public static readonly Address Recipient = Address.Parse("0x000000000000000000000000000000000000dead");

    public static readonly AccessListItem[] AccessList =
    [
        new(Recipient, new[] { new Hash256(new byte[32]), new Hash256(Enumerable.Repeat((byte)1, 32).ToArray()) }),
    ];

    public static readonly SignedAuthorization[] Authorizations =
    [
        new Authorization { ChainId = 31337, Address = Recipient, Nonce = 0 }.Sign(DeterministicKeys.Derive("bench", 1)),
    ];

    public static LegacyTransaction Legacy(ulong nonce) => new()
    {
        ChainId = 31337, Nonce = nonce, GasPrice = 30_000_000_000, GasLimit = 21_000, To = Recipient, Value = 1,
    };

    public static AccessListTransaction AccessListTx(ulong nonce) => new()
    {
        ChainId = 31337, Nonce = nonce, GasPrice = 30_000_000_000, GasLimit = 30_000, To = Recipient, Value = 1, AccessList = AccessList,
    };

    public static DynamicFeeTransaction DynamicFee(ulong nonce) => new()
    {
        ChainId = 31337, Nonce = nonce, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 30_000_000_000,
        GasLimit = 21_000, To = Recipient, Value = 1,
    };

    public static SetCodeTransaction SetCode(ulong nonce) => new()
    {
        ChainId = 31337, Nonce = nonce, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 30_000_000_000,
        GasLimit = 60_000, To = Recipient, Value = 0, AuthorizationList = Authorizations,
    };
}
