using System;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes C# source with indentation: four spaces per <see cref="Indentation"/> level, applied to
/// every line, also to each line of a multi-line string. Blocks must close before the text is taken.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder text = new();
    private int indentation;

    public int Indentation
    {
        get => indentation;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), "indentation cannot go below zero");
            indentation = value;
        }
    }

    /// <summary>Writes each line of <paramref name="lines"/> at the current indentation (an empty line stays empty).</summary>
    public SourceWriter WriteLine(string lines)
    {
        int start = 0;
        while (true)
        {
            int end = lines.IndexOf('\n', start);
            string line = (end < 0 ? lines.Substring(start) : lines.Substring(start, end - start)).TrimEnd('\r');
            if (line.Length > 0)
            {
                for (int i = 0; i < indentation; i++) text.Append(IndentUnit);
                text.Append(line);
            }
            text.Append('\n');
            if (end < 0) return this;
            start = end + 1;
        }
    }

    public SourceWriter WriteLine()
    {
        text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> (if any) and <c>{</c>, and indents.</summary>
    public SourceWriter OpenBlock(string? header = null)
    {
        if (header is not null) WriteLine(header);
        WriteLine("{");
        Indentation++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c> plus <paramref name="suffix"/>.</summary>
    public SourceWriter CloseBlock(string suffix = "")
    {
        Indentation--;
        WriteLine("}" + suffix);
        return this;
    }

    /// <summary>The text written, after checking that every block was closed.</summary>
    public SourceText ToSourceText()
    {
        if (indentation != 0) throw new InvalidOperationException($"generated source ends at indentation {indentation}; a block was not closed");
        return SourceText.From(text.ToString(), Encoding.UTF8);
    }

    public override string ToString() => text.ToString();
}
