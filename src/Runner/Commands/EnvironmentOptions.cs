using System.CommandLine;
using System.Text.RegularExpressions;

namespace FastLoad.Runner.Commands;

/// <summary>
/// Every option of the commands that run in containers (<see cref="Commands"/>) can be given as an environment
/// variable: <c>--rate</c> as <c>FASTLOAD_RATE</c>, <c>--send-rpc</c> as <c>FASTLOAD_SEND_RPC</c> (prefix, the name
/// upper-cased, '-' as '_'). The command line wins: a variable is used only for an option the arguments do not give.
/// It works by adding the variables as arguments before parsing, so a value is checked exactly as on the command line;
/// a bad one is reported naming the variable (<see cref="Annotate"/>). A switch (<c>--max</c>) takes true/false, 1/0
/// or yes/no; a repeatable option (<c>--phase</c>, <c>--header</c>) takes one value per line. <c>FASTLOAD_FUNDER_KEY</c>
/// (the funder's key itself, not an option) is read where the key is needed, as before.
/// </summary>
public static class EnvironmentOptions
{
    public const string Prefix = "FASTLOAD_";

    /// <summary>The commands whose options the environment can set.</summary>
    public static readonly string[] Commands = ["run", "probe", "sink", "presign", "sweep"];

    // The (variable, option) pairs the last Apply took from the environment, for the error messages.
    private static IReadOnlyList<(string Variable, string Option)> _applied = [];

    /// <summary>The arguments the last <see cref="Apply"/> added from the environment (for the run's recorded command line).</summary>
    public static IReadOnlyList<string> Added { get; private set; } = [];

    /// <summary>The variable of an option: <c>--send-rpc</c> → <c>FASTLOAD_SEND_RPC</c>.</summary>
    public static string VariableFor(Option option) => Prefix + option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>The options of <paramref name="command"/> the environment can set (not hidden test switches, not help).</summary>
    public static IEnumerable<Option> Settable(Command command)
    {
        foreach (Option option in command.Options)
            if (!option.Hidden && option.Name is not ("--help" or "--version")) yield return option;
    }

    /// <summary>
    /// <paramref name="args"/> (a command's own arguments, after its name) with an option added for each variable set in
    /// <paramref name="environment"/> whose option the arguments do not give. Throws <see cref="ArgumentException"/>
    /// naming the variable for a switch that is not true/false.
    /// </summary>
    public static string[] Apply(Command command, IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var added = new List<string>();
        var applied = new List<(string, string)>();
        foreach (Option option in Settable(command))
        {
            string variable = VariableFor(option);
            string? value = environment(variable);
            if (value is null || Gives(args, option)) continue;
            applied.Add((variable, option.Name));
            if (option.ValueType == typeof(bool))
            {
                switch (value.Trim().ToLowerInvariant())
                {
                    case "true" or "1" or "yes": added.Add(option.Name); break;
                    case "false" or "0" or "no" or "": break;
                    default: throw new ArgumentException($"{variable}='{value}' is not a switch value: set it to true or false (it stands for {option.Name})");
                }
            }
            else if (option.ValueType.IsArray)
            {
                foreach (string line in value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    added.Add(option.Name);
                    added.Add(line);
                }
            }
            else
            {
                added.Add(option.Name);
                added.Add(value);
            }
        }
        _applied = applied;
        Added = added;
        // Options before any "--" (after it, everything is an argument, not an option).
        int end = args.Count;
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] != "--") continue;
            end = i;
            break;
        }
        return [.. args.Take(end), .. added, .. args.Skip(end)];
    }

    /// <summary>Does the command line give this option (by any of its names, as <c>--x v</c>, <c>--x=v</c> or <c>--x:v</c>)?</summary>
    private static bool Gives(IReadOnlyList<string> args, Option option)
    {
        foreach (string arg in args)
        {
            if (arg == "--") return false;
            if (Names(option).Any(name => arg == name || arg.StartsWith(name + "=", StringComparison.Ordinal) || arg.StartsWith(name + ":", StringComparison.Ordinal)))
                return true;
        }
        return false;
    }

    private static IEnumerable<string> Names(Option option) => [option.Name, .. option.Aliases];

    /// <summary>
    /// An error message about an option that came from the environment, with the variable named (the user never typed
    /// the flag): "--rate must be positive (from FASTLOAD_RATE)". Other messages as they are.
    /// </summary>
    public static string Annotate(string message)
    {
        foreach ((string variable, string option) in _applied)
            if (Regex.IsMatch(message, $"(^|[^-a-z]){Regex.Escape(option)}($|[^-a-z])")) return $"{message} (from {variable})";
        return message;
    }
}
