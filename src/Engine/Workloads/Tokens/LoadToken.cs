using System.Numerics;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Workloads.Abi;

namespace FastLoad.Engine.Workloads.Tokens;

/// <summary>
/// <c>contracts/LoadToken.sol</c>: its creation bytecode (compiled by <c>contracts/build.sh</c>, committed, embedded
/// here) and hand-written encoders for the calls FastLoad makes. Selectors are hashed once, when this type is first used.
/// </summary>
public static class LoadToken
{
    public const string Name = "LoadToken";

    public static readonly AbiSelector Transfer = AbiSelector.Of("transfer(address,uint256)");
    public static readonly AbiSelector Mint = AbiSelector.Of("mint(address,uint256)");
    public static readonly AbiSelector Burn = AbiSelector.Of("burn(uint256)");
    public static readonly AbiSelector MintBatch = AbiSelector.Of("mintBatch(address[],uint256)");
    public static readonly AbiSelector GrantRole = AbiSelector.Of("grantRole(bytes32,address)");
    public static readonly AbiSelector GrantRoleBatch = AbiSelector.Of("grantRoleBatch(bytes32,address[])");
    public static readonly AbiSelector HasRole = AbiSelector.Of("hasRole(bytes32,address)");
    public static readonly AbiSelector BalanceOf = AbiSelector.Of("balanceOf(address)");
    public static readonly AbiSelector TotalSupply = AbiSelector.Of("totalSupply()");

    /// <summary>keccak256("MINTER_ROLE"), as the contract computes it.</summary>
    public static readonly byte[] MinterRole = RoleId("MINTER_ROLE");

    /// <summary>keccak256("ADMIN_ROLE").</summary>
    public static readonly byte[] AdminRole = RoleId("ADMIN_ROLE");

    /// <summary>Calldata of <c>transfer(to, amount)</c> and <c>mint(to, amount)</c>: 4 + 32 + 32 bytes.</summary>
    public const int AddressAmountLength = 68;

    /// <summary>Calldata of <c>burn(amount)</c>: 4 + 32 bytes.</summary>
    public const int AmountLength = 36;

    private static byte[]? _bytecode;

    /// <summary>The creation bytecode (contracts/build/LoadToken.bin).</summary>
    public static byte[] Bytecode => _bytecode ??= Setup.ContractSetup.Embedded("LoadToken");

    public static int WriteTransfer(Span<byte> calldata, in Address to, UInt128 amount) => WriteAddressAmount(calldata, Transfer, to, amount);

    public static int WriteMint(Span<byte> calldata, in Address to, UInt128 amount) => WriteAddressAmount(calldata, Mint, to, amount);

    public static int WriteBurn(Span<byte> calldata, UInt128 amount)
    {
        var w = new AbiWriter(calldata);
        w.Selector(Burn);
        w.UInt(new UInt256((ulong)amount, (ulong)(amount >> 64), 0, 0));
        return w.Length;
    }

    private static int WriteAddressAmount(Span<byte> calldata, AbiSelector selector, in Address to, UInt128 amount)
    {
        var w = new AbiWriter(calldata);
        w.Selector(selector);
        w.Address(to);
        w.UInt(new UInt256((ulong)amount, (ulong)(amount >> 64), 0, 0));
        return w.Length;
    }

    public static byte[] BalanceOfCall(in Address owner)
    {
        var data = new byte[36];
        var w = new AbiWriter(data);
        w.Selector(BalanceOf);
        w.Address(owner);
        return data;
    }

    public static byte[] HasRoleCall(byte[] role, in Address account)
    {
        var data = new byte[68];
        var w = new AbiWriter(data);
        w.Selector(HasRole);
        w.Bytes32(role);
        w.Address(account);
        return data;
    }

    public static byte[] GrantRoleCall(byte[] role, in Address account)
    {
        var data = new byte[68];
        var w = new AbiWriter(data);
        w.Selector(GrantRole);
        w.Bytes32(role);
        w.Address(account);
        return data;
    }

    public static byte[] TotalSupplyCall()
    {
        var data = new byte[4];
        TotalSupply.WriteTo(data);
        return data;
    }

    public static byte[] GrantRoleBatchCall(byte[] role, ReadOnlySpan<Address> accounts) => AbiWriter.AddressArrayCall(GrantRoleBatch, accounts, role, wordFirst: true);

    public static byte[] MintBatchCall(ReadOnlySpan<Address> to, BigInteger amount)
    {
        Span<byte> word = stackalloc byte[32];
        UInt256.FromBigInteger(amount).WriteBigEndian32(word);
        return AbiWriter.AddressArrayCall(MintBatch, to, word, wordFirst: false);
    }

    /// <summary>A uint256 return value.</summary>
    public static BigInteger DecodeUInt(byte[] result) =>
        result.Length == 32 ? new BigInteger(result, isUnsigned: true, isBigEndian: true) : throw new FormatException($"expected 32 bytes, got {result.Length}");

    private static byte[] RoleId(string name)
    {
        var hash = new byte[32];
        Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(name), hash);
        return hash;
    }
}
