using System;
using System.Globalization;
using System.Text;

namespace NetKit.Generators.Emit;

/// <summary>
/// An indented text writer for generated C# (the runtime generators' <c>SourceWriter</c> pattern: cheaper and more
/// predictable than building syntax trees and normalizing whitespace). Lines end in '\n' on every platform.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    public void Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
    }

    public void Open()
    {
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _text.ToString();

    /// <summary>An integer literal in the invariant culture (no locale minus signs or separators).</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A 16-bit-or-wider protocol number as hex, as RFCs and headers write ethertypes.</summary>
    public static string Hex(int value) => "0x" + value.ToString("X4", CultureInfo.InvariantCulture);

    /// <summary>Formats with the invariant culture.</summary>
    public static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
