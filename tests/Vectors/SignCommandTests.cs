using System.Text.Json;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Vectors;

/// <summary>`fastload sign` as a user runs it: bad lines get an error line naming the field, the rest go on.</summary>
public class SignCommandTests
{
    private const string Good = """{"type":"eip1559","privateKey":"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80","chainId":"31337","nonce":"0","gasLimit":"21000","to":"0x000000000000000000000000000000000000dead","value":"1","data":"0x","maxFeePerGas":"2000000000","maxPriorityFeePerGas":"1000000000","id":7}""";

    [Fact]
    public async Task Bad_lines_get_an_error_naming_the_field_and_the_rest_are_signed()
    {
        string input = string.Join('\n',
            Good,
            Good.Replace("\"nonce\":\"0\"", "\"nonce\":\"-1\""),
            Good.Replace("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0x00"),
            Good.Replace(",\"maxFeePerGas\":\"2000000000\"", ""),
            "{not json",
            "",
            Good.Replace("\"to\":\"0x000000000000000000000000000000000000dead\"", "\"to\":\"0x1234\""),
            Good) + "\n";
        ProcessResult result = await ProcessRunner.RunFastloadAsync(input, "sign");
        Assert.Equal(1, result.ExitCode);
        string[] lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        JsonElement[] json = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.Equal(7, json[0].GetProperty("id").GetInt32());
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", json[0].GetProperty("sender").GetString());
        Assert.Equal("nonce", json[1].GetProperty("field").GetString());
        Assert.Equal(2, json[1].GetProperty("line").GetInt32());
        Assert.Equal("privateKey", json[2].GetProperty("field").GetString());
        Assert.Equal("maxFeePerGas", json[3].GetProperty("field").GetString());
        Assert.Equal("line", json[4].GetProperty("field").GetString());
        Assert.Equal(7, json[5].GetProperty("line").GetInt32());
        Assert.Equal("to", json[5].GetProperty("field").GetString());
        Assert.Equal(json[0].GetProperty("raw").GetString(), json[6].GetProperty("raw").GetString());
        Assert.Contains("5 failed", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
    }

    [Fact]
    public async Task Unknown_flag_is_a_clear_error_with_non_zero_exit()
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", "sign", "--bogus");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--bogus", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
    }
}
