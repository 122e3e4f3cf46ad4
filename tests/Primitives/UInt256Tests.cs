using System.Numerics;
using FastLoad.Engine.Primitives;

namespace FastLoad.Tests.Primitives;

public class UInt256Tests
{
    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("18446744073709551616")] // 2^64
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639935")] // 2^256 - 1
    public void FromBigInteger_round_trips_through_ToBigInteger(string text)
    {
        BigInteger value = BigInteger.Parse(text);
        UInt256 converted = UInt256.FromBigInteger(value);
        Assert.Equal(value, converted.ToBigInteger());
        Assert.Equal(UInt256.Parse(text), converted);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639936")] // 2^256
    public void FromBigInteger_rejects_values_outside_256_bits(string text) =>
        Assert.Throws<OverflowException>(() => UInt256.FromBigInteger(BigInteger.Parse(text)));
}
