using FastLoad.Engine.Primitives;
using FastLoad.Engine.Workloads.Abi;

namespace FastLoad.Tests.Workloads;

/// <summary>
/// The calldata of <c>--workload call:ADDR:SIG:ARGS</c> against an independent encoder: each expected value is what
/// foundry's <c>cast calldata</c> 1.7.1 printed for the same signature and values (per-tx templates as zero words there).
/// </summary>
public class AbiCallTemplateTests
{
    [Theory]
    // Static and dynamic types together: string (with a comma, quoted), uint256[], bytes, a negative int8, bytes4, bool.
    [InlineData("f(string,uint256[],bytes,int8,bytes4,bool)", "\"hello, world\",[1,2,3],0xdeadbeef,-5,0x01020304,true",
        "f(string,uint256[],bytes,int8,bytes4,bool)",
        "0x4b3d2b9400000000000000000000000000000000000000000000000000000000000000c000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000180fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffb01020304000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000c68656c6c6f2c20776f726c64000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000030000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000030000000000000000000000000000000000000000000000000000000000000004deadbeef00000000000000000000000000000000000000000000000000000000")]
    // A fixed-size array of addresses sits in the head; an empty string; the largest uint8.
    [InlineData("g(address[2],string,uint8)", "[0x000000000000000000000000000000000000bEEF,0x0000000000000000000000000000000000000001],\"\",255",
        "g(address[2],string,uint8)",
        "0x40fee4fb000000000000000000000000000000000000000000000000000000000000beef0000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000008000000000000000000000000000000000000000000000000000000000000000ff0000000000000000000000000000000000000000000000000000000000000000")]
    // The extremes: int256 -1 and the largest uint256.
    [InlineData("k(int256,uint256)", "-1,115792089237316195423570985008687907853269984665640564039457584007913129639935", "k(int256,uint256)",
        "0x30320542ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    // uint and int are uint256 and int256 in the selector.
    [InlineData("u(uint,int)", "7,-7", "u(uint256,int256)",
        "0x75041c6a0000000000000000000000000000000000000000000000000000000000000007fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff9")]
    // A static array of signed values in the head, a dynamic array of bytes1 in the tail.
    [InlineData("n(int16[3],bytes1[])", "[-1,0,32767],[0xff,0x01]", "n(int16[3],bytes1[])",
        "0x48ac1e3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007fff00000000000000000000000000000000000000000000000000000000000000800000000000000000000000000000000000000000000000000000000000000002ff000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000")]
    public void Literal_arguments_encode_as_cast_does(string signature, string args, string canonical, string expected)
    {
        AbiCallTemplate call = AbiCallTemplate.Parse("test", signature, args);
        Assert.Equal(canonical, call.Signature);
        Assert.Equal(expected, Hex.ToPrefixedString(call.Template));
        Assert.Empty(call.Slots);
    }

    [Fact]
    public void Per_tx_templates_leave_zero_words_at_their_slots_and_everything_else_as_cast_encodes_it()
    {
        // cast calldata 'transfer(address,uint256)' 0x0000000000000000000000000000000000000000 0
        AbiCallTemplate transfer = AbiCallTemplate.Parse("test", "transfer(address,uint256)", "{wallet},{counter}");
        Assert.Equal("0xa9059cbb" + new string('0', 128), Hex.ToPrefixedString(transfer.Template));
        Assert.Equal([(4, AbiSlot.WalletAddress), (36, AbiSlot.Counter)], transfer.Slots);

        // cast calldata 'f(string,uint256)' x 0: the slot is the head word after the string's offset.
        AbiCallTemplate mixed = AbiCallTemplate.Parse("test", "f(string,uint256)", "x,{wallet}");
        Assert.Equal("0x589002fb0000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000017800000000000000000000000000000000000000000000000000000000000000",
            Hex.ToPrefixedString(mixed.Template));
        Assert.Equal([(36, AbiSlot.WalletIndex)], mixed.Slots); // {wallet} for a uint is the wallet's index

        // cast calldata 'p(string,bytes32,address)' 'a+b@c, "q"' 0x00…00 0x00…00: a quoted string keeps + @ , and \".
        AbiCallTemplate quoted = AbiCallTemplate.Parse("test", "p(string,bytes32,address)", "\"a+b@c, \\\"q\\\"\",{random},{random}");
        Assert.Equal("0x95b1c72f000000000000000000000000000000000000000000000000000000000000006000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a612b6240632c2022712200000000000000000000000000000000000000000000",
            Hex.ToPrefixedString(quoted.Template));
        Assert.Equal([(36, AbiSlot.Random), (68, AbiSlot.RandomAddress)], quoted.Slots);
    }

    [Fact]
    public void Splitting_respects_quotes_and_brackets()
    {
        Assert.Equal(["\"a,b\"", "[1,2]", "c"], AbiCallTemplate.SplitOutside("\"a,b\",[1,2],c", ','));
        Assert.Equal(["call:A:f(string):\"x+y\"@2", "transfer@1"], AbiCallTemplate.SplitOutside("call:A:f(string):\"x+y\"@2+transfer@1", '+'));
        Assert.Equal(20, AbiCallTemplate.LastIndexOutside("call:A:f(string):\"@\"@2", '@'));
        Assert.Equal(-1, AbiCallTemplate.LastIndexOutside("f(string):\"a@b\"", '@'));
    }
}
