using System.Collections.Generic;
using System.Linq;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>Renders argument lists for messages (quoted like a shell would need them; never executed by a shell).</summary>
internal static class CommandText
{
    public static string Join(IEnumerable<string> arguments) => string.Join(' ', arguments.Select(Quote));

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}
