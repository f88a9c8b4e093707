using System.Collections.Generic;
using System.Linq;
using NetKit.Generators.Model;

namespace NetKit.Generators.Emit;

/// <summary>
/// A stack's protocol list resolved for emitting: indices and unique identifiers, the link, the networks and the
/// transports over each, option tables, and which protocols handle which request. Conflicts the analyzer reports
/// (a number claimed twice, a second link) resolve to the first declaration so the output always compiles.
/// </summary>
internal sealed class StackPlan
{
    public sealed class Entry
    {
        public Entry(ProtocolModel model, int index, string identifier)
        {
            Model = model;
            Index = index;
            Identifier = identifier;
        }

        public ProtocolModel Model { get; }
        public int Index { get; }
        public string Identifier { get; }
    }

    private readonly Dictionary<string, Entry> _byFullName = new();

    public StackPlan(StackModel stack)
    {
        var identifiers = new HashSet<string>();
        int index = 0;
        var all = new List<Entry>();
        foreach (var model in stack.Members)
        {
            string identifier = model.Identifier;
            for (int n = 2; !identifiers.Add(identifier); n++) identifier = model.Identifier + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var entry = new Entry(model, model.IsOptionTable ? 0 : ++index, identifier);
            all.Add(entry);
            _byFullName[model.FullName] = entry;
        }
        All = all;
        Protocols = all.Where(e => !e.Model.IsOptionTable).ToList();
        Tables = all.Where(e => e.Model.IsOptionTable).ToList();
        Link = Protocols.FirstOrDefault(e => e.Model.Layer == ProtocolLayer.Link);
        Networks = FirstPerNumber(Protocols.Where(e => e.Model.Layer == ProtocolLayer.Network));
    }

    public IReadOnlyList<Entry> All { get; }
    public IReadOnlyList<Entry> Protocols { get; }
    public IReadOnlyList<Entry> Tables { get; }
    public Entry? Link { get; }
    public IReadOnlyList<Entry> Networks { get; }

    /// <summary>
    /// Transports demultiplexed from <paramref name="network"/>: those that require it, plus those that require no
    /// listed network protocol at all; one per IP protocol number.
    /// </summary>
    public IReadOnlyList<Entry> TransportsOver(Entry network) => FirstPerNumber(Protocols.Where(e =>
        e.Model.Layer == ProtocolLayer.Transport &&
        (e.Model.Requires.Contains(network.Model.FullName) ||
         !e.Model.Requires.Any(r => _byFullName.TryGetValue(r, out var req) && req.Model.Layer == ProtocolLayer.Network))));

    /// <summary>Protocols with a handler for <paramref name="kind"/>.</summary>
    public IReadOnlyList<Entry> Handling(UserRequestKind kind) => Protocols.Where(e => e.Model.RequestMethod(kind) is not null).ToList();

    /// <summary>
    /// Where options of a <paramref name="socketProtocol"/> socket are looked up: the protocol itself, then what it
    /// requires, transitively and in declaration order (TCP → IPv4, as <c>tcp_ctloutput</c> → <c>ip_ctloutput</c>).
    /// </summary>
    public IReadOnlyList<Entry> OptionChain(Entry socketProtocol)
    {
        var chain = new List<Entry>();
        var seen = new HashSet<string>();
        var queue = new Queue<Entry>();
        queue.Enqueue(socketProtocol);
        while (queue.Count > 0)
        {
            var entry = queue.Dequeue();
            if (!seen.Add(entry.Model.FullName)) continue;
            chain.Add(entry);
            foreach (var required in entry.Model.Requires)
                if (_byFullName.TryGetValue(required, out var next) && !next.Model.IsOptionTable) queue.Enqueue(next);
        }
        return chain;
    }

    private static IReadOnlyList<Entry> FirstPerNumber(IEnumerable<Entry> entries)
    {
        var numbers = new HashSet<int>();
        return entries.Where(e => numbers.Add(e.Model.Number)).ToList();
    }
}
