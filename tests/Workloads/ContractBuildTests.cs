using FastLoad.Engine.Primitives;
using FastLoad.Engine.Workloads.Tokens;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Workloads;

/// <summary>The committed bytecode is what contracts/build.sh makes from the committed Solidity, and what the engine deploys.</summary>
public class ContractBuildTests
{
    [Fact]
    public async Task Recompiling_the_contracts_gives_the_committed_bytecode_and_abi()
    {
        string contracts = Path.Combine(TestPaths.RepoRoot, "contracts");
        string output = Path.Combine(Path.GetTempPath(), $"fastload-contracts-{Guid.NewGuid():N}");
        try
        {
            // build.sh installs solc-js from npm into native/.deps/solc when it is missing (as native/install.sh does for anvil).
            ProcessResult build = await ProcessRunner.RunAsync(Path.Combine(contracts, "build.sh"), "", "--out", output, "--quiet");
            Assert.True(build.ExitCode == 0, $"contracts/build.sh failed: {build.StdErr}");
            string[] committed = Directory.GetFiles(Path.Combine(contracts, "build")).Select(Path.GetFileName).Order().ToArray()!;
            string[] built = Directory.GetFiles(output).Select(Path.GetFileName).Order().ToArray()!;
            Assert.Equal(committed, built);
            Assert.Contains("LoadToken.bin", built);
            foreach (string name in built)
                Assert.True(File.ReadAllText(Path.Combine(output, name)) == File.ReadAllText(Path.Combine(contracts, "build", name)),
                    $"contracts/build/{name} differs from what contracts/build.sh compiles now: run contracts/build.sh and commit");
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void The_engine_deploys_the_committed_bytecode()
    {
        string committed = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "contracts", "build", "LoadToken.bin")).Trim();
        Assert.Equal(committed, Convert.ToHexStringLower(LoadToken.Bytecode));
        Assert.True(LoadToken.Bytecode.Length > 1000);
    }
}
