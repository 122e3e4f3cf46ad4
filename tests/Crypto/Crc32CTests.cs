using System.Text;
using FastLoad.Engine.Crypto;

namespace FastLoad.Tests.Crypto;

public class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)] // the CRC-32C check value
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Known_values(string text, uint expected) => Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Appending_in_pieces_gives_the_one_shot_value()
    {
        byte[] data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        uint running = Crc32C.Start;
        running = Crc32C.Append(running, data.AsSpan(0, 3));
        running = Crc32C.Append(running, data.AsSpan(3, 10));
        running = Crc32C.Append(running, data.AsSpan(13, 987));
        Assert.Equal(Crc32C.Compute(data), Crc32C.Finish(running));
    }
}
