namespace NetKit.Generators.Parsing;

/// <summary>Why a method does not fit the handler shape its attribute asks for.</summary>
internal enum ShapeProblem
{
    None,
    /// <summary>Not static, generic, or its parameters or return type differ from the kind's shape.</summary>
    WrongSignature,
    /// <summary>A request or option handler that returns no Errno synchronously (void, Task, ValueTask, async).</summary>
    CannotReply,
}
