using FastLoad.Runner.Live;
using Spectre.Console;

namespace FastLoad.Tests.Live;

public sealed class SpectreLiveViewTests
{
    /// <summary>A console writing into a string: plain text, or ANSI as a terminal would get it.</summary>
    private static (IAnsiConsole Console, StringWriter Output) StringConsole(bool ansi = false, int width = 140)
    {
        var output = new StringWriter { NewLine = "\n" };
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = ansi ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ansi ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = ansi ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = width;
        return (console, output);
    }

    [Fact]
    public void Frame_shows_every_figure_and_a_table_per_node()
    {
        (IAnsiConsole console, StringWriter output) = StringConsole();
        console.Write(SpectreLiveView.Render(ProgressSnapshots.TwoNodes(), ["breaker tripped: rate held at 50%"]));
        string text = output.ToString();
        Assert.Contains("5s / 30s", text);
        Assert.Contains("17%", text);
        Assert.Contains("200 tx/s, target 200", text);
        Assert.Contains("sent 1,000", text);
        Assert.Contains("acked 990", text);
        Assert.Contains("included 800", text);
        Assert.Contains("3 (nonce_too_low 2, underpriced 1)", text);
        Assert.Contains("p50/p99 3.0/9.5 ms", text);
        Assert.Contains("p50/p99 1,020/2,100 ms", text);
        Assert.Contains("120/256", text);
        Assert.Contains("open: rate held at 50%", text);
        Assert.Contains("12 result records", text);
        Assert.Contains("http://a:8545", text);
        Assert.Contains("http://b:8545", text);
        Assert.Matches(@"http://b:8545\s+100\s+400\s+389\s+1\s+300\s+3\.5/9\.8 ms", text);
        Assert.EndsWith("breaker tripped: rate held at 50%\n", text);
    }

    [Fact]
    public void Frame_for_one_node_by_count_has_no_node_table_and_nothing_about_drops()
    {
        (IAnsiConsole console, StringWriter output) = StringConsole();
        console.Write(SpectreLiveView.Render(ProgressSnapshots.OneNodeByCount(), []));
        string text = output.ToString();
        Assert.Contains("2s, 5,000 / 10,000 txs", text);
        Assert.Contains("50%", text);
        Assert.Contains("2,500 tx/s, max", text);
        Assert.Contains("closed", text);
        Assert.DoesNotContain("127.0.0.1", text);
        Assert.DoesNotContain("dropped", text);
        Assert.Contains("p50/p99 -/- ms", text);
    }

    [Fact]
    public void Frame_has_a_reads_row_only_when_the_run_reads()
    {
        (IAnsiConsole console, StringWriter output) = StringConsole();
        console.Write(SpectreLiveView.Render(ProgressSnapshots.OneNodeWithReads(), []));
        Assert.Matches(@"reads\s+98 reads/s \(asked 100\)   sent 500   errors 3   p50/p99 1\.3/12\.3 ms", output.ToString());

        (IAnsiConsole plainConsole, StringWriter plain) = StringConsole();
        plainConsole.Write(SpectreLiveView.Render(ProgressSnapshots.OneNodeByCount(), []));
        Assert.DoesNotContain("reads", plain.ToString());
    }

    [Fact]
    public void Frame_has_a_preconf_row_only_when_the_run_listens_to_streams()
    {
        (IAnsiConsole console, StringWriter output) = StringConsole();
        console.Write(SpectreLiveView.Render(ProgressSnapshots.OneNodeWithPreconfs(), []));
        Assert.Matches(@"preconf\s+4,870 of 5,000 accepted, by 2 stream\(s\)   p50/p99 0\.8/6\.7 ms", output.ToString());

        (IAnsiConsole plainConsole, StringWriter plain) = StringConsole();
        plainConsole.Write(SpectreLiveView.Render(ProgressSnapshots.OneNodeByCount(), []));
        Assert.DoesNotContain("preconf", plain.ToString());
    }

    [Fact]
    public void Updates_messages_and_complete_leave_the_final_frame_and_the_last_messages()
    {
        (IAnsiConsole console, StringWriter output) = StringConsole();
        var view = new SpectreLiveView(console);
        for (int i = 1; i <= 7; i++) view.Message($"message {i}");
        view.Update(ProgressSnapshots.TwoNodes(1, sent: 200));
        view.Update(ProgressSnapshots.TwoNodes(29.9, sent: 5_980));
        view.Complete();
        view.Message("after the display");
        string text = output.ToString();
        int final = text.LastIndexOf("sent 5,980", StringComparison.Ordinal);
        Assert.True(final >= 0, text);
        string last = text[final..];
        Assert.DoesNotContain("message 2", last);
        Assert.Contains("message 3", last);
        Assert.Contains("message 7", last);
        Assert.EndsWith("after the display\n", text);
    }

    [Fact]
    public void On_an_ansi_terminal_frames_redraw_in_place_and_the_last_one_stays()
    {
        (IAnsiConsole console, StringWriter output) = StringConsole(ansi: true, width: 120);
        var view = new SpectreLiveView(console);
        view.Update(ProgressSnapshots.TwoNodes(1, sent: 200));
        Thread.Sleep(200);
        view.Update(ProgressSnapshots.TwoNodes(2, sent: 400));
        view.Complete();
        string text = output.ToString();
        Assert.Contains("\u001b[?25l", text);  // cursor hidden while live
        Assert.Matches("\r\u001b\\[14A", text);  // back up over the 14 lines of the frame to redraw it
        Assert.Contains("\u001b[?25h", text);  // cursor back at the end
        Assert.Contains("400", text[text.LastIndexOf("sent", StringComparison.Ordinal)..]);
    }
}
