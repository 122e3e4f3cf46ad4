using System.Text.Json;
using System.Text.RegularExpressions;
using FastLoad.Runner.Scenarios;

namespace FastLoad.Runner.Serve;

/// <summary>What POST /api/runs takes (camelCase JSON): a scenario, <c>run</c>'s options, raw arguments, or a mix (later ones win).</summary>
public sealed class StartRequest
{
    /// <summary>A scenario file on the service's machine (relative to its working directory), as in <c>fastload run FILE.yaml</c>.</summary>
    public string? Scenario { get; init; }

    /// <summary>A scenario's YAML itself.</summary>
    public string? ScenarioYaml { get; init; }

    /// <summary><c>run</c>'s options by name in camelCase (<c>rate</c>, <c>duration</c>, <c>txType</c>, <c>expectP99Ms</c>...): true for a switch, an array to repeat one.</summary>
    public Dictionary<string, JsonElement>? Options { get; init; }

    /// <summary><c>run</c>'s arguments as on the command line (<c>["--rate", "100"]</c>).</summary>
    public string[]? Args { get; init; }
}

/// <summary>A <see cref="StartRequest"/> as <c>run</c>'s arguments.</summary>
public static partial class StartArguments
{
    /// <summary>The <c>run</c> arguments of a request (bad input as an <see cref="ArgumentException"/> with a one-line message).</summary>
    public static (string[] Flags, ScenarioFile? Scenario) Of(StartRequest request)
    {
        var flags = new List<string>();
        if (request.Options is not null)
        {
            foreach ((string name, JsonElement value) in request.Options)
            {
                if (!OptionName().IsMatch(name)) throw new ArgumentException($"options.{name} is not an option name: give run's flags in camelCase, e.g. \"rate\", \"txType\", \"expectP99Ms\"");
                string flag = "--" + Kebab(name);
                AddOption(flags, flag, value, name);
            }
        }
        foreach (string arg in request.Args ?? []) flags.Add(arg ?? throw new ArgumentException("args holds a null: give strings"));
        foreach (string arg in flags)
        {
            // Every form the parser takes: --out FILE, --out=FILE, --out:FILE, -o FILE, -oFILE, -o=FILE, -o:FILE.
            string flag = arg.StartsWith("--", StringComparison.Ordinal) ? arg.Split('=', ':')[0] : arg.StartsWith("-o", StringComparison.Ordinal) ? "-o" : arg;
            if (flag is "--out" or "-o" or "--no-results")
                throw new ArgumentException($"{flag}: the service names each run's results file itself (its results folder, the run's id): leave {flag} out");
            // A served run writes no file of the caller's choosing on the service's machine (--hdr-log truncates one).
            if (flag is "--hdr-log" or "--log")
                throw new ArgumentException($"{flag}: a run started through the service writes no file but its results file: leave {flag} out (run it with fastload run for that)");
        }
        if (request.Scenario is not null && request.ScenarioYaml is not null) throw new ArgumentException("scenario and scenarioYaml exclude each other: give one");
        ScenarioFile? scenario = null;
        if (request.Scenario is string path)
        {
            (scenario, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Load(path);
            if (scenario is null) throw new ArgumentException(Program.ScenarioErrorLine(path, errors));
        }
        else if (request.ScenarioYaml is string yaml)
        {
            (scenario, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Parse("scenarioYaml", yaml);
            if (scenario is null) throw new ArgumentException(string.Join("; ", errors.Select(e => e.Format("scenarioYaml")))); // all of them: there is no file to check
        }
        return ([.. flags], scenario);
    }

    private static void AddOption(List<string> flags, string flag, JsonElement value, string name)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                flags.Add(flag);
                break;
            case JsonValueKind.False:
            case JsonValueKind.Null:
                break;
            case JsonValueKind.Number:
                flags.Add(flag);
                flags.Add(value.GetRawText());
                break;
            case JsonValueKind.String:
                flags.Add(flag);
                flags.Add(value.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in value.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Array or JsonValueKind.Object) throw new ArgumentException($"options.{name}: give an array of strings or numbers");
                    AddOption(flags, flag, item, name);
                }
                break;
            default:
                throw new ArgumentException($"options.{name}: give a string, a number, true/false or an array, not an object");
        }
    }

    /// <summary>expectP99Ms → expect-p99-ms.</summary>
    public static string Kebab(string camel)
    {
        var b = new System.Text.StringBuilder(camel.Length + 4);
        foreach (char c in camel)
        {
            if (char.IsAsciiLetterUpper(c)) b.Append('-').Append(char.ToLowerInvariant(c));
            else b.Append(c);
        }
        return b.ToString();
    }

    [GeneratedRegex("^[a-z][A-Za-z0-9]*$")]
    private static partial Regex OptionName();
}
