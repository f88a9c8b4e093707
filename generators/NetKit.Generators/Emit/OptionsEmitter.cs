using System.Linq;
using NetKit.Generators.Model;

namespace NetKit.Generators.Emit;

/// <summary>
/// Emits a protocol's or option table's socket-option marshalling (DragonFly <c>sosetopt</c>/<c>sogetopt</c> →
/// <c>so_pr_ctloutput</c>): a lookup by (level, name) that returns false for options the class does not declare,
/// and for each declared option the copy-in, range check, dispatch to the owner thread and copy-out. Copies happen on
/// the caller's thread; the owner thread sees only the typed value in the request message. Option-table (socket
/// level) handlers run on the caller's thread with no message.
/// </summary>
internal static class OptionsEmitter
{
    public static string Emit(ProtocolModel owner)
    {
        var w = new SourceWriter();
        GeneratedHeader.Write(w, owner.Namespace);
        w.Open((owner.IsStatic ? "static " : "") + "unsafe partial class " + owner.ClassName);
        EmitLookup(w, owner, SockOptAccess.Set);
        w.Line();
        EmitLookup(w, owner, SockOptAccess.Get);
        foreach (var option in owner.Options)
        {
            w.Line();
            if (option.Access == SockOptAccess.Set) EmitSet(w, owner, option);
            else EmitGet(w, owner, option);
        }
        w.Close();
        return w.ToString();
    }

    private static void EmitLookup(SourceWriter w, ProtocolModel owner, SockOptAccess access)
    {
        bool set = access == SockOptAccess.Set;
        w.Line(set
            ? "/// <summary>Sets an option this class declares; false when (level, name) is not one of them.</summary>"
            : "/// <summary>Gets an option this class declares; false when (level, name) is not one of them.</summary>");
        ProtocolEmitter.WriteMemberAttributes(w);
        w.Open(set
            ? "public static bool " + Names.TrySetOption + "(" + Names.NetSocket + " socket, int level, int name, " + Names.ReadOnlySpan + " value, out " + Names.Errno + " error)"
            : "public static bool " + Names.TryGetOption + "(" + Names.NetSocket + " socket, int level, int name, " + Names.Span + " buffer, out int length, out " + Names.Errno + " error)");
        var options = owner.Options.Where(o => o.Access == access).ToList();
        if (options.Count > 0)
        {
            w.Open("switch (level)");
            foreach (var level in options.GroupBy(o => o.Level))
            {
                w.Line("case " + SourceWriter.Int(level.Key) + ":");
                w.Indent();
                w.Open("switch (name)");
                foreach (var option in level)
                {
                    w.Line("case " + SourceWriter.Int(option.Name) + ":");
                    w.Indent();
                    w.Line(set
                        ? "error = " + Member(option) + "(socket, value);"
                        : "error = " + Member(option) + "(socket, buffer, out length);");
                    w.Line("return true;");
                    w.Unindent();
                }
                w.Close();
                w.Line("break;");
                w.Unindent();
            }
            w.Close();
        }
        if (!set) w.Line("length = 0;");
        w.Line("error = " + Names.Errno + ".ENOPROTOOPT;");
        w.Line("return false;");
        w.Close();
    }

    private static string Member(OptionHandlerModel option) => "__NetKit" + option.Key;

    private static string OwnerDispatch(OptionHandlerModel option) => "__NetKitOwner" + option.Key;

    private static string Summary(ProtocolModel owner, OptionHandlerModel option) =>
        "<c>" + (option.Access == SockOptAccess.Set ? "setsockopt" : "getsockopt") + "(" + SourceWriter.Int(option.Level) + ", " +
        SourceWriter.Int(option.Name) + ")</c> → <see cref=\"" + option.Method + "\"/>" +
        (owner.IsOptionTable ? " in the caller's context" : " on the owner thread");

    private static void EmitSet(SourceWriter w, ProtocolModel owner, OptionHandlerModel option)
    {
        w.Line("/// <summary>" + Summary(owner, option) + ".</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private static " + Names.Errno + " " + Member(option) + "(" + Names.NetSocket + " socket, " + Names.ReadOnlySpan + " value)");
        string n = SourceWriter.Int(option.Length);
        if (option.ValueKind == OptionValueKind.Bytes)
        {
            w.Line("if (value.Length < " + n + ") return " + Names.Errno + ".EINVAL; // sooptcopyin: shorter than the value");
        }
        else
        {
            w.Line(option.ValueKind == OptionValueKind.Boolean
                ? "var error = " + Names.SocketOptionCopy + ".CopyInBoolean(value, out bool copied);"
                : "var error = " + Names.SocketOptionCopy + ".CopyIn<" + option.ValueType + ">(value, out " + option.ValueType + " copied);");
            w.Line("if (error != " + Names.Errno + ".None) return error;");
            EmitRangeCheck(w, option);
        }

        if (owner.IsOptionTable)
        {
            w.Line(option.ValueKind == OptionValueKind.Bytes
                ? "return " + option.Method + "(socket, value.Slice(0, " + n + "));"
                : "return " + option.Method + "(socket, " + (option.PassByIn ? "in " : "") + "copied);");
            w.Close();
            return;
        }

        EmitRequestSetup(w, option);
        if (option.ValueKind == OptionValueKind.Bytes)
        {
            w.Line("value.Slice(0, " + n + ").CopyTo(request.ValueBytes(" + n + "));");
            w.Line("request.ValueLength = " + n + ";");
        }
        else
        {
            w.Line("request.ValueAs<" + option.ValueType + ">() = copied;");
        }
        w.Line("return request.Execute();");
        w.Close();

        w.Line();
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private static void " + OwnerDispatch(option) + "(" + Names.NetMsg + " message)");
        w.Line("var request = (" + Names.SocketRequest + ")message;");
        w.Line(option.ValueKind == OptionValueKind.Bytes
            ? "request.Reply(" + option.Method + "(request.Socket!, request.ValueBytes(" + n + ")));"
            : "request.Reply(" + option.Method + "(request.Socket!, " + (option.PassByIn ? "in " : "") + "request.ValueAs<" + option.ValueType + ">()));");
        w.Close();
    }

    /// <summary>The caller-side start of an option request: fit check for structs, the message aimed at the owner.</summary>
    private static void EmitRequestSetup(SourceWriter w, OptionHandlerModel option)
    {
        if (option.ValueKind == OptionValueKind.Struct)
            w.Line("if (!" + Names.SocketRequest + ".Fits<" + option.ValueType + ">()) return " + Names.Errno + ".ENOBUFS;");
        w.Line("var request = " + Names.SocketRequest + ".Rent().Prepare(socket, &" + OwnerDispatch(option) + ");");
        w.Line("request.Level = " + SourceWriter.Int(option.Level) + ";");
        w.Line("request.Name = " + SourceWriter.Int(option.Name) + ";");
    }

    private static void EmitRangeCheck(SourceWriter w, OptionHandlerModel option)
    {
        if (!option.HasMinimum && !option.HasMaximum) return;
        string cast = option.IsUnsigned ? "(ulong)" : "(long)";
        string suffix = option.IsUnsigned ? "UL" : "L";
        var parts = new System.Collections.Generic.List<string>();
        if (option.HasMinimum && !(option.IsUnsigned && option.Minimum == 0))
            parts.Add(cast + "copied < " + SourceWriter.Int(option.Minimum) + suffix);
        if (option.HasMaximum)
            parts.Add(cast + "copied > " + SourceWriter.Int(option.Maximum) + suffix);
        if (parts.Count == 0) return;
        w.Line("if (" + string.Join(" || ", parts) + ") return " + Names.Errno + ".EINVAL; // declared range");
    }

    private static void EmitGet(SourceWriter w, ProtocolModel owner, OptionHandlerModel option)
    {
        w.Line("/// <summary>" + Summary(owner, option) + "; copies min(buffer, value) bytes out.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private static " + Names.Errno + " " + Member(option) + "(" + Names.NetSocket + " socket, " + Names.Span + " buffer, out int length)");
        w.Line("length = 0;");
        string n = SourceWriter.Int(option.Length);
        if (owner.IsOptionTable)
        {
            if (option.ValueKind == OptionValueKind.Bytes)
            {
                w.Line(Names.Span + " value = stackalloc byte[" + n + "];");
                w.Line("value.Clear();");
                w.Line("var error = " + option.Method + "(socket, value);");
            }
            else
            {
                w.Line("var error = " + option.Method + "(socket, out " + option.ValueType + " value);");
            }
            w.Line("if (error != " + Names.Errno + ".None) return error;");
            w.Line("length = " + CopyOut(option, "value") + ";");
            w.Line("return " + Names.Errno + ".None;");
            w.Close();
            return;
        }

        EmitRequestSetup(w, option);
        w.Line("request.Access = " + Names.SockOptAccess + ".Get;");
        w.Line("var error = request.Execute();");
        w.Line("if (error != " + Names.Errno + ".None) return error;");
        w.Line("length = " + CopyOut(option, option.ValueKind == OptionValueKind.Bytes
            ? "request.ValueBytes(" + n + ")"
            : "request.ValueAs<" + option.ValueType + ">()") + ";");
        w.Line("return " + Names.Errno + ".None;");
        w.Close();

        w.Line();
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private static void " + OwnerDispatch(option) + "(" + Names.NetMsg + " message)");
        w.Line("var request = (" + Names.SocketRequest + ")message;");
        if (option.ValueKind == OptionValueKind.Bytes)
        {
            w.Line("var value = request.ValueBytes(" + n + ");");
            w.Line("value.Clear(); // nothing of an earlier request leaks into a short answer");
            w.Line("request.ValueLength = " + n + ";");
            w.Line("request.Reply(" + option.Method + "(request.Socket!, value));");
        }
        else
        {
            w.Line("request.Reply(" + option.Method + "(request.Socket!, out request.ValueAs<" + option.ValueType + ">()));");
        }
        w.Close();
    }

    private static string CopyOut(OptionHandlerModel option, string value) => option.ValueKind switch
    {
        OptionValueKind.Boolean => Names.SocketOptionCopy + ".CopyOutBoolean(" + value + ", buffer)",
        OptionValueKind.Bytes => Names.SocketOptionCopy + ".CopyOutBytes(" + value + ", buffer)",
        _ => Names.SocketOptionCopy + ".CopyOut(" + value + ", buffer)",
    };
}
