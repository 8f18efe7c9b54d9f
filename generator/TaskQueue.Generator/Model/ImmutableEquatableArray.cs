using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace TaskQueue.Generator.Model;

/// <summary>
/// An immutable array compared by its elements, so that a model record holding one gets a correct
/// compiler-written <c>Equals</c>. <see cref="System.Collections.Immutable.ImmutableArray{T}"/>
/// compares by reference and would make every pipeline step look modified.
/// </summary>
internal sealed class ImmutableEquatableArray<T> : IEquatable<ImmutableEquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    private readonly T[] items;

    public ImmutableEquatableArray(IEnumerable<T> items) => this.items = items.ToArray();

    public static ImmutableEquatableArray<T> Empty { get; } = new(Array.Empty<T>());

    public int Count => items.Length;

    public T this[int index] => items[index];

    public bool Equals(ImmutableEquatableArray<T>? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.items.Length != items.Length) return false;
        for (int i = 0; i < items.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(items[i], other.items[i])) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as ImmutableEquatableArray<T>);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (var item in items)
        {
            hash = unchecked((hash * 31) + (item is null ? 0 : item.GetHashCode()));
        }
        return hash;
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();
}

/// <summary>Creates <see cref="ImmutableEquatableArray{T}"/> instances.</summary>
internal static class ImmutableEquatableArray
{
    public static ImmutableEquatableArray<T> ToImmutableEquatableArray<T>(this IEnumerable<T> items)
        where T : IEquatable<T>
        => new(items);
}
