using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace FastLoad.Engine.DuckDb;

/// <summary>
/// Bulk insert through DuckDB's data-chunk appender: each row is written straight into the column buffers of one
/// <c>duckdb_data_chunk</c> (pointers cached per chunk), and the chunk is handed to <c>duckdb_append_data_chunk</c>
/// when it holds <see cref="ChunkCapacity"/> rows (2048) and on <see cref="Flush"/>. No managed allocation per row.
/// Built on DuckDB.NET.Bindings' <see cref="NativeMethods"/> (no declarations of FastLoad's own).
/// <para>
/// Why not DuckDB.NET's own <see cref="DuckDB.NET.Data.DuckDBAppender"/> (<c>CreateRow().AppendValue(...).EndRow()</c>)
/// for the results writer's hot path: on the same 1M-row <c>tx_log</c> job (bench/DuckDb/AppendBenchmarks.cs, paired in
/// one process by <c>bench append-ratio</c> on the shared 2-core VM, 2026-11-29) this appender was faster in both
/// runs: into memory a median ratio of 1.21 over 9 pairs (3.91M vs 2.79M rows/s) and 1.10 over 21 pairs on a busier
/// VM; into a file with the final checkpoint, where DuckDB's own checkpoint dominates, 1.11 and 1.04. It allocates
/// 0 B per row where DuckDB.NET's allocates 64 B (a row object per row: 64 MB of garbage a second at 1M rows/s), and
/// DuckDB.NET's has no flush: the writer commits every 500 ms, which would mean closing and re-creating it each time.
/// Everything else (schema, small tables, reads) goes through DuckDB.NET.Data.
/// </para>
/// <para>
/// Per row: call one <c>SetXxx</c> or <see cref="SetNull"/> for <b>every</b> column (an unset cell keeps whatever the
/// buffer held before), then <see cref="EndRow"/>. Each setter checks the column index and the column's declared
/// type (writing an 8-byte value into a 1-byte column would corrupt memory), nothing more.
/// </para>
/// Not thread-safe. Dispose flushes; errors (constraint violations, type mismatches with the table) surface as
/// <see cref="DbException"/> from the flush that hands DuckDB the offending chunk.
/// </summary>
public sealed unsafe class DuckDbChunkAppender : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Column
    {
        public nint Vector;
        public byte* Data;
        public ulong* Validity; // null until the first NULL in the current chunk
        public DuckDBType Type;
    }

    private readonly DuckDBConnection _owner; // keeps the connection alive while appending
    private DuckDB.NET.Native.DuckDBAppender? _appender;
    private DuckDBDataChunk? _chunk;
    private Column* _columns;
    private readonly int _columnCount;
    private readonly int _capacity;
    private int _row;
    private long _rowsAppended;
    private bool _closed;

    /// <summary>A chunk appender for <paramref name="table"/> whose columns are, in order, <paramref name="columnTypes"/>.</summary>
    /// <exception cref="DbException">No such table (DuckDB's message).</exception>
    public DuckDbChunkAppender(DuckDBConnection connection, string table, ReadOnlySpan<DuckDBType> columnTypes, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        if (columnTypes.IsEmpty) throw new ArgumentException("at least one column type is required", nameof(columnTypes));
        foreach (DuckDBType t in columnTypes)
        {
            if (ElementSize(t) == 0)
                throw new ArgumentException($"column type {t} is not supported by the chunk appender (BIGINT, INTEGER, UTINYINT, UHUGEINT, DOUBLE, VARCHAR, BLOB, BOOLEAN are)", nameof(columnTypes));
        }
        _owner = connection;
        _columnCount = columnTypes.Length;
        _capacity = checked((int)NativeMethods.Helpers.DuckDBVectorSize());

        if (!NativeMethods.Appender.DuckDBAppenderCreate(connection.NativeConnection, schema, table, out DuckDB.NET.Native.DuckDBAppender appender).IsSuccess())
        {
            string message = ErrorOf(appender) ?? $"cannot create an appender for table '{table}'";
            appender.Dispose();
            throw new DuckDbError(message);
        }
        _appender = appender;

        var types = new DuckDBLogicalType[_columnCount];
        var handles = new nint[_columnCount];
        for (int c = 0; c < _columnCount; c++)
        {
            types[c] = NativeMethods.LogicalType.DuckDBCreateLogicalType(columnTypes[c]);
            handles[c] = types[c].DangerousGetHandle();
        }
        _chunk = NativeMethods.DataChunks.DuckDBCreateDataChunk(handles, (ulong)_columnCount);
        foreach (DuckDBLogicalType t in types) t.Dispose(); // the chunk keeps its own copies

        _columns = (Column*)NativeMemory.AllocZeroed((nuint)_columnCount, (nuint)sizeof(Column));
        for (int c = 0; c < _columnCount; c++) _columns[c].Type = columnTypes[c];
        BindVectors();
    }

    /// <summary>Rows per chunk (DuckDB's vector size, 2048).</summary>
    public int ChunkCapacity => _capacity;

    /// <summary>Rows completed with <see cref="EndRow"/> so far.</summary>
    public long RowCount => _rowsAppended + _row;

    public int ColumnCount => _columnCount;

    // --- per-row writes -------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetInt64(int column, long value) => ((long*)Cell(column, DuckDBType.BigInt).Data)[_row] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetInt32(int column, int value) => ((int*)Cell(column, DuckDBType.Integer).Data)[_row] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetByte(int column, byte value) => Cell(column, DuckDBType.UnsignedTinyInt).Data[_row] = value;

    /// <summary>Writes a UHUGEINT cell (DuckDB's layout is .NET's: lower 64 bits first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetUInt128(int column, UInt128 value) => ((UInt128*)Cell(column, DuckDBType.UnsignedHugeInt).Data)[_row] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetDouble(int column, double value) => ((double*)Cell(column, DuckDBType.Double).Data)[_row] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetBoolean(int column, bool value) => Cell(column, DuckDBType.Boolean).Data[_row] = value ? (byte)1 : (byte)0;

    /// <summary>Writes a BLOB cell; the bytes are copied (inline up to 12 bytes, else into the chunk's heap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetBlob(int column, ReadOnlySpan<byte> value) => WriteString(ref Cell(column, DuckDBType.Blob), value);

    /// <summary>Writes a VARCHAR cell from UTF-8 bytes (validated: DuckDB requires valid UTF-8).</summary>
    public void SetVarchar(int column, ReadOnlySpan<byte> utf8)
    {
        ref Column c = ref Cell(column, DuckDBType.Varchar);
        if (!Utf8.IsValid(utf8)) ThrowInvalidUtf8(column);
        WriteString(ref c, utf8);
    }

    /// <summary>Writes a VARCHAR cell from UTF-16 text (transcoded on the stack up to 1 KiB, pooled above).</summary>
    public void SetVarchar(int column, ReadOnlySpan<char> text)
    {
        ref Column c = ref Cell(column, DuckDBType.Varchar);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 1024)
        {
            Span<byte> buffer = stackalloc byte[1024];
            int n = Encoding.UTF8.GetBytes(text, buffer); // replaces lone surrogates, so always valid UTF-8
            WriteString(ref c, buffer[..n]);
        }
        else
        {
            byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
            int n = Encoding.UTF8.GetBytes(text, rented);
            WriteString(ref c, rented.AsSpan(0, n));
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Marks the cell NULL (any column type).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetNull(int column)
    {
        if ((uint)column >= (uint)_columnCount) ThrowColumnOutOfRange(column);
        ref Column c = ref _columns[column];
        ulong* validity = c.Validity;
        if (validity is null) validity = MakeValidityWritable(ref c);
        // Documented layout: 64 rows per word, bit set = valid.
        validity[_row >> 6] &= ~(1UL << (_row & 63));
    }

    /// <summary>Completes the row; hands the chunk to DuckDB when it is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EndRow()
    {
        if (++_row == _capacity) AppendChunk();
    }

    // --- flushing -------------------------------------------------------------------------------------

    /// <summary>Appends the partial chunk and flushes the appender into the table (its rows become visible).</summary>
    public void Flush()
    {
        ThrowIfClosed();
        if (_row > 0) AppendChunk();
        if (!NativeMethods.Appender.DuckDBAppenderFlush(_appender!).IsSuccess()) ThrowAppenderError();
    }

    /// <summary>Flushes and closes the appender; further writes throw.</summary>
    public void Close()
    {
        if (_closed) return;
        if (_row > 0) AppendChunk();
        _closed = true;
        if (!NativeMethods.Appender.DuckDBAppenderClose(_appender!).IsSuccess()) ThrowAppenderError();
    }

    /// <summary>Closes (flushing pending rows, which may throw <see cref="DbException"/>) and frees native memory.</summary>
    public void Dispose()
    {
        if (_appender is null) return;
        try
        {
            Close();
        }
        finally
        {
            _appender.Dispose(); // duckdb_appender_destroy
            _appender = null;
            _chunk!.Dispose(); // duckdb_destroy_data_chunk
            _chunk = null;
            NativeMemory.Free(_columns);
            _columns = null;
            GC.KeepAlive(_owner);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AppendChunk()
    {
        ThrowIfClosed();
        NativeMethods.DataChunks.DuckDBDataChunkSetSize(_chunk!, (ulong)_row);
        DuckDBState state = NativeMethods.Appender.DuckDBAppendDataChunk(_appender!, _chunk!);
        _rowsAppended += _row;
        _row = 0;
        NativeMethods.DataChunks.DuckDBDataChunkReset(_chunk!); // also resets validity to all-valid
        BindVectors();
        if (!state.IsSuccess()) ThrowAppenderError();
    }

    private void BindVectors()
    {
        for (int c = 0; c < _columnCount; c++)
        {
            nint vector = NativeMethods.DataChunks.DuckDBDataChunkGetVector(_chunk!, c);
            _columns[c].Vector = vector;
            _columns[c].Data = (byte*)NativeMethods.Vectors.DuckDBVectorGetData(vector);
            _columns[c].Validity = null;
        }
    }

    // --- helpers --------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Column Cell(int column, DuckDBType type)
    {
        if ((uint)column >= (uint)_columnCount) ThrowColumnOutOfRange(column);
        ref Column c = ref _columns[column];
        if (c.Type != type) ThrowTypeMismatch(column, c.Type, type);
        return ref c;
    }

    /// <summary>
    /// <c>duckdb_string_t</c> is 16 bytes: uint32 length, then the bytes inline when ≤ 12 (rest zeroed: DuckDB compares
    /// all 16 bytes), else a 4-byte prefix and a pointer — for those DuckDB copies the bytes into the vector's heap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteString(ref Column c, ReadOnlySpan<byte> value)
    {
        if (value.Length <= 12)
        {
            byte* s = c.Data + 16 * _row;
            *(ulong*)s = 0;
            *(ulong*)(s + 8) = 0;
            *(uint*)s = (uint)value.Length;
            value.CopyTo(new Span<byte>(s + 4, 12));
        }
        else
        {
            fixed (byte* p = value) NativeMethods.Vectors.DuckDBUnsafeVectorAssignStringElementLength(c.Vector, (ulong)_row, p, value.Length);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong* MakeValidityWritable(ref Column c)
    {
        NativeMethods.Vectors.DuckDBVectorEnsureValidityWritable(c.Vector);
        c.Validity = NativeMethods.Vectors.DuckDBVectorGetValidity(c.Vector);
        return c.Validity;
    }

    private static int ElementSize(DuckDBType type) => type switch
    {
        DuckDBType.BigInt or DuckDBType.Double => 8,
        DuckDBType.Integer => 4,
        DuckDBType.UnsignedTinyInt or DuckDBType.Boolean => 1,
        DuckDBType.Varchar or DuckDBType.Blob or DuckDBType.UnsignedHugeInt => 16,
        _ => 0,
    };

    private void ThrowIfClosed()
    {
        if (_closed) ThrowClosed();
    }

    [DoesNotReturn]
    private void ThrowAppenderError() => throw new DuckDbError(ErrorOf(_appender!) ?? "DuckDB appender failed");

    private static string? ErrorOf(DuckDB.NET.Native.DuckDBAppender appender)
    {
        if (appender.IsInvalid) return null;
        using DuckDBErrorData error = NativeMethods.Appender.DuckDBAppenderErrorData(appender);
        return error.HasError ? error.Message : null;
    }

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowClosed() => throw new InvalidOperationException("the appender is closed");

    [DoesNotReturn, StackTraceHidden]
    private void ThrowColumnOutOfRange(int column) =>
        throw new ArgumentOutOfRangeException(nameof(column), column, $"the appender has {_columnCount} columns");

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowTypeMismatch(int column, DuckDBType declared, DuckDBType written) =>
        throw new InvalidOperationException($"column {column} is {declared}, not {written}");

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowInvalidUtf8(int column) =>
        throw new ArgumentException($"column {column}: VARCHAR value is not valid UTF-8", "utf8");
}
