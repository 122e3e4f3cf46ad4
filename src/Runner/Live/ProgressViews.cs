using FastLoad.Engine.Load;
using Spectre.Console;

namespace FastLoad.Runner.Live;

/// <summary>Picks the progress view for where the output goes.</summary>
public static class ProgressViews
{
    /// <summary>
    /// The live display when <paramref name="writer"/> is a terminal (pass <c>!Console.IsOutputRedirected</c>) and
    /// not <paramref name="quiet"/>; otherwise plain lines, one per second (pass <c>isTerminal: false</c> for
    /// <c>--no-live</c>).
    /// </summary>
    public static IRunProgressView For(TextWriter writer, bool isTerminal, bool quiet)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!isTerminal || quiet) return new PlainProgressView(writer);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        return new SpectreLiveView(console);
    }
}
