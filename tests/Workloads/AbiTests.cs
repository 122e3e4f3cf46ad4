using System.Numerics;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Workloads.Abi;
using FastLoad.Engine.Workloads.Tokens;

namespace FastLoad.Tests.Workloads;

/// <summary>Hand-written ABI encoding: selectors and calldata against values every ERC-20 tool agrees on.</summary>
public class AbiTests
{
    [Theory]
    [InlineData("transfer(address,uint256)", 0xa9059cbbu)]
    [InlineData("balanceOf(address)", 0x70a08231u)]
    [InlineData("totalSupply()", 0x18160dddu)]
    [InlineData("mint(address,uint256)", 0x40c10f19u)]
    [InlineData("burn(uint256)", 0x42966c68u)]
    [InlineData("grantRole(bytes32,address)", 0x2f2ff15du)]
    [InlineData("hasRole(bytes32,address)", 0x91d14854u)]
    public void Selector_is_the_first_four_bytes_of_the_signature_hash(string signature, uint expected)
    {
        Assert.Equal(expected, AbiSelector.Of(signature).Value);
    }

    [Fact]
    public void Transfer_calldata_is_selector_then_left_padded_address_and_amount()
    {
        var to = Address.Parse("0x1111111111111111111111111111111111111111");
        byte[] data = new byte[LoadToken.AddressAmountLength];
        int length = LoadToken.WriteTransfer(data, to, (UInt128)1_000_000_000_000_000_000UL * 5);
        Assert.Equal(68, length);
        Assert.Equal(
            "a9059cbb"
            + "0000000000000000000000001111111111111111111111111111111111111111"
            + "0000000000000000000000000000000000000000000000004563918244f40000", // 5e18
            Convert.ToHexStringLower(data));
    }

    [Fact]
    public void Amounts_above_64_bits_keep_their_high_word()
    {
        byte[] data = new byte[LoadToken.AmountLength];
        UInt128 amount = UInt128.Parse("1000000000000000000000000", System.Globalization.CultureInfo.InvariantCulture); // 1e24 > 2^64
        LoadToken.WriteBurn(data, amount);
        Assert.Equal(new BigInteger(data.AsSpan(4), isUnsigned: true, isBigEndian: true), BigInteger.Parse("1000000000000000000000000", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Batch_calls_carry_the_array_offset_length_and_items()
    {
        Address[] list = [Address.Parse("0x00000000000000000000000000000000000000aa"), Address.Parse("0x00000000000000000000000000000000000000bb")];
        byte[] data = LoadToken.MintBatchCall(list, 7);
        string hex = Convert.ToHexStringLower(data);
        Assert.Equal(AbiSelector.Of("mintBatch(address[],uint256)").Value.ToString("x8"), hex[..8]);
        string[] words = Enumerable.Range(0, (data.Length - 4) / 32).Select(i => hex.Substring(8 + 64 * i, 64)).ToArray();
        Assert.Equal(5, words.Length);
        Assert.EndsWith("40", words[0]); // offset of the array: 64
        Assert.EndsWith("07", words[1]); // the amount
        Assert.EndsWith("02", words[2]); // the array's length
        Assert.EndsWith("aa", words[3]);
        Assert.EndsWith("bb", words[4]);
    }
}
