using System.CommandLine;
using FastLoad.Runner.Scenarios;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload scenario check FILE...</c>: reads each scenario file and reports every problem with its line.</summary>
public static class ScenarioCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Scenario files (.yaml) to check.", Arity = ArgumentArity.OneOrMore };
        var check = new Command("check", """
            Check scenario files without running them: every key, value, shape and phase, each problem with its
            line and column. Exit 0 when all are good, 2 otherwise.

            Examples:
              fastload scenario check scenarios/*.yaml
            """) { files };
        check.SetAction(parse =>
        {
            int bad = 0;
            foreach (string file in parse.GetValue(files)!)
            {
                (ScenarioFile? scenario, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Load(file);
                if (scenario is null)
                {
                    bad++;
                    foreach (ScenarioError error in errors) Console.Error.WriteLine(error.Format(file));
                    continue;
                }
                Console.Out.WriteLine($"{file}: ok ({Describe(scenario)})");
            }
            return bad == 0 ? 0 : 2;
        });
        return new Command("scenario", """
            Scenario files: a run described in YAML (nodes, wallets, funding, workload, phases, reads, verdicts).
            `fastload run FILE.yaml` runs one; flags on the command line override the file.
            """) { check };
    }

    /// <summary>"smoke: 1 phase (constant 50 tx/s for 5s)".</summary>
    public static string Describe(ScenarioFile scenario)
    {
        string phases = string.Join(", ", scenario.Phases.Select(p =>
            $"{p.Name}: {p.Shape}{(p.Rate is double r ? $" {r:0.###} tx/s" : "")}{(p.Duration is not null ? $" for {p.Duration}" : "")}{(p.Count is long n ? $", {n:N0} txs" : "")}"));
        return $"{scenario.Name ?? Path.GetFileNameWithoutExtension(scenario.Path)}, {scenario.Phases.Count} phase{(scenario.Phases.Count == 1 ? "" : "s")}: {phases}";
    }
}
