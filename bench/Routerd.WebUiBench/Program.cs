using System.Text.Json.Nodes;
using Routerd.Lab;
using Routerd.WebUiBench;

// `Routerd.WebUiBench run --routerd PATH`: builds a lab around routerd, gives it 250 devices over
// the control socket, runs axe-core over every page from chromium in the phone's namespace, then
// runs itself again inside the phone's namespace (`measure`), where the web UI is reached over the
// LAN as a browser would reach it, and prints what that measured. `--axe-only`: the sweep alone.
const string Usage = "usage: Routerd.WebUiBench run --routerd PATH-TO-routerd [--results DIR] [--axe-only]\n" +
                     "       Routerd.WebUiBench measure --url URL --pid ROUTERD-PID   (inside a LAN client's namespace)";

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

switch (args.FirstOrDefault())
{
    case "measure" when Arg("--url") is { } url && int.TryParse(Arg("--pid"), out int pid):
        var result = await WebUiMeasure.Run(new Uri(url), pid);
        Console.WriteLine(result.ToJsonString());
        return 0;
    case "run" when Arg("--routerd") is { } routerd:
        string results = Arg("--results") ?? Path.Combine(RouterdCommand.RepoRoot(), "bench", "results");
        try
        {
            return await WebUiBench.Run(RouterdCommand.FromPath(routerd), results, axeOnly: args.Contains("--axe-only"));
        }
        catch (LabUnavailableException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
