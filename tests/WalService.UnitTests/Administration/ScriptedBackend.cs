using System.Reflection;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.UnitTests.Administration;

/// <summary>
/// A log backend that answers only the members a test scripted, by name, and records every call; any other call
/// fails the test. Built as a proxy so that it asks nothing of the members the tests here never reach.
/// </summary>
public class ScriptedBackend : DispatchProxy
{
    private readonly Dictionary<string, Func<object?[], object?>> _answers = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    /// <summary>An embedded backend answering the members in <paramref name="answers"/>.</summary>
    public static (ILogBackend Backend, ScriptedBackend Script) Create(params (string Member, Func<object?[], object?> Answer)[] answers)
    {
        var backend = Create<ILogBackend, ScriptedBackend>();
        var script = (ScriptedBackend)(object)backend;
        script._answers["get_Kind"] = _ => BackendKind.Embedded;
        foreach (var (member, answer) in answers)
        {
            script._answers[member] = answer;
        }

        return (backend, script);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        lock (Calls)
        {
            Calls.Add(targetMethod.Name);
        }

        return _answers.TryGetValue(targetMethod.Name, out var answer)
            ? answer(args ?? [])
            : throw new InvalidOperationException($"the test did not expect {targetMethod.Name}");
    }
}
