using System.Text.Json;
using FastLoad.Engine.Transactions;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Vectors;

/// <summary>
/// ethereum/tests TransactionTests: for every case valid at the newest fork it lists (types 0–2),
/// the decoded transaction's hash and recovered sender match the expected ones.
/// </summary>
public class EthereumTransactionTests
{
    private static readonly string[] ForksNewestFirst = ["Prague", "Cancun", "Shanghai", "Paris", "London", "Berlin", "Istanbul"];

    public sealed record Case(string File, string Name, string TxBytes, string Hash, string Sender)
    {
        public override string ToString() => $"{Path.GetFileNameWithoutExtension(File)}/{Name}";
    }

    public static IEnumerable<Case> ValidCases()
    {
        string root = Path.Combine(TestPaths.Vectors, "ethereum-tests", "TransactionTests");
        foreach (string file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (JsonProperty test in doc.RootElement.EnumerateObject())
            {
                JsonElement results = test.Value.GetProperty("result");
                string? fork = ForksNewestFirst.FirstOrDefault(f => results.TryGetProperty(f, out _));
                if (fork is null) continue;
                JsonElement result = results.GetProperty(fork);
                if (result.TryGetProperty("exception", out _) || !result.TryGetProperty("hash", out JsonElement hash)) continue;
                yield return new Case(file, test.Name, test.Value.GetProperty("txbytes").GetString()!, hash.GetString()!, result.GetProperty("sender").GetString()!);
            }
        }
    }

    public static TheoryData<string> ValidCaseNames => new(ValidCases().Select(c => c.ToString()));

    [Fact]
    public void Finds_the_valid_cases_of_types_0_to_2()
    {
        Case[] cases = ValidCases().ToArray();
        Assert.True(cases.Length >= 50, $"only {cases.Length} valid cases found");
        Assert.Contains(cases, c => c.TxBytes.StartsWith("0x01", StringComparison.Ordinal));
        Assert.Contains(cases, c => c.TxBytes.StartsWith("0x02", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ValidCaseNames))]
    public void Valid_transaction_has_expected_hash_and_sender(string caseName)
    {
        Case test = ValidCases().Single(c => c.ToString() == caseName);
        DecodedTransaction decoded = TransactionDecoder.Decode(Convert.FromHexString(test.TxBytes[2..]));
        Assert.Equal(test.Hash.ToLowerInvariant(), decoded.Hash.ToString());
        Assert.True(decoded.TryRecoverSender(out var sender), "sender not recoverable");
        Assert.Equal(test.Sender.ToLowerInvariant(), sender.ToString());
    }
}
