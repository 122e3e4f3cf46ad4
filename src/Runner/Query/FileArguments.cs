using System.Text.RegularExpressions;

namespace FastLoad.Runner.Query;

/// <summary>
/// Expands file arguments the way a shell would, for globs the shell did not expand (quoted, or on Windows):
/// <c>*</c>, <c>?</c> and <c>[abc]</c> in any path segment, <c>**</c> for any depth of folders. Matches come sorted.
/// </summary>
public static class FileArguments
{
    public static bool IsGlob(string argument) => argument.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>
    /// The results files one argument of <c>report</c> or <c>compare</c> names: a file, a glob, or a folder (its
    /// <c>*.duckdb</c>); a one-line <see cref="ArgumentException"/> when it names none.
    /// </summary>
    public static List<string> ResultsFiles(string argument)
    {
        if (Directory.Exists(argument))
        {
            List<string> inFolder = Expand(Path.Combine(argument, "*.duckdb"));
            return inFolder.Count > 0 ? inFolder : throw new ArgumentException($"{argument} is a folder without .duckdb files: give results files, a glob or a folder of them");
        }
        if (IsGlob(argument))
        {
            List<string> matches = Expand(argument);
            return matches.Count > 0 ? matches : throw new ArgumentException($"no file matches '{argument}'");
        }
        return File.Exists(argument) ? [argument] : throw new ArgumentException($"{argument} does not exist");
    }

    /// <summary>The files <paramref name="pattern"/> names; empty when none match.</summary>
    public static List<string> Expand(string pattern)
    {
        var matches = new List<string>();
        if (!IsGlob(pattern))
        {
            if (File.Exists(pattern)) matches.Add(pattern);
            return matches;
        }
        string normalized = pattern.Replace('\\', '/');
        string root = Path.IsPathRooted(normalized) ? Path.GetPathRoot(normalized)!.Replace('\\', '/') : "";
        string[] segments = normalized[root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        Walk(root, segments, 0, matches);
        matches.Sort(StringComparer.Ordinal);
        return matches;
    }

    private static void Walk(string directory, string[] segments, int index, List<string> matches)
    {
        string dir = directory.Length == 0 ? "." : directory;
        if (!Directory.Exists(dir)) return;
        string segment = segments[index];
        bool last = index == segments.Length - 1;
        if (segment == "**")
        {
            if (last) return; // "**" alone names folders, not files
            Walk(directory, segments, index + 1, matches); // zero folders deep
            foreach (string sub in Directory.EnumerateDirectories(dir))
                Walk(Join(directory, Path.GetFileName(sub)), segments, index, matches);
            return;
        }
        if (!IsGlob(segment))
        {
            string path = Join(directory, segment);
            if (last) { if (File.Exists(path)) matches.Add(path); }
            else Walk(path, segments, index + 1, matches);
            return;
        }
        var regex = new Regex(ToRegex(segment), RegexOptions.CultureInvariant);
        IEnumerable<string> entries = last ? Directory.EnumerateFiles(dir) : Directory.EnumerateDirectories(dir);
        foreach (string entry in entries)
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith('.') && !segment.StartsWith('.')) continue; // like a shell: * does not match dot files
            if (!regex.IsMatch(name)) continue;
            if (last) matches.Add(Join(directory, name));
            else Walk(Join(directory, name), segments, index + 1, matches);
        }
    }

    private static string Join(string directory, string name) =>
        directory.Length == 0 ? name : directory.EndsWith('/') ? directory + name : directory + "/" + name;

    private static string ToRegex(string segment)
    {
        var sb = new System.Text.StringBuilder("^");
        for (int i = 0; i < segment.Length; i++)
        {
            char ch = segment[i];
            switch (ch)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                    int close = segment.IndexOf(']', i + 1);
                    if (close < 0) { sb.Append("\\["); break; }
                    string set = segment[(i + 1)..close];
                    if (set.StartsWith('!')) set = "^" + set[1..];
                    sb.Append('[').Append(set.Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default: sb.Append(Regex.Escape(ch.ToString())); break;
            }
        }
        return sb.Append('$').ToString();
    }
}
