using System.Runtime.InteropServices;
using FastLoad.Engine.Native;

namespace FastLoad.Engine.DuckDb;

/// <summary>
/// The DuckDB C API (libduckdb, v1.5) through <c>LibraryImport</c>: handles are <c>nint</c>, strings are
/// NUL-terminated UTF-8 <c>byte*</c>, structs go by address. Loading the library is checked once, up front,
/// so a missing libduckdb surfaces as <see cref="NativeLibraryMissingException"/> with the fix.
/// </summary>
public static unsafe partial class DuckDbNative
{
    internal const int Success = 0; // duckdb_state: DuckDBSuccess = 0, DuckDBError = 1

    static DuckDbNative()
    {
        NativeLibraries.EnsureResolver();
        NativeLibraries.Load(NativeLibraries.DuckDb);
    }

    /// <summary>Loads libduckdb now, so a missing library is reported up front (throws <see cref="NativeLibraryMissingException"/>).</summary>
    public static void EnsureAvailable() => _ = VectorSize();

    /// <summary>The library's version string, e.g. "v1.5.6".</summary>
    public static string LibraryVersion => Marshal.PtrToStringUTF8((nint)LibraryVersionNative()) ?? "";

    // --- database / connection -------------------------------------------------------------------------

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_library_version")]
    private static partial byte* LibraryVersionNative();

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_open_ext")]
    internal static partial int OpenExt(byte* path, nint* outDatabase, nint config, byte** outError);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_close")]
    internal static partial void Close(nint* database);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_connect")]
    internal static partial int Connect(nint database, nint* outConnection);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_disconnect")]
    internal static partial void Disconnect(nint* connection);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_free")]
    internal static partial void Free(void* ptr);

    // --- query results ---------------------------------------------------------------------------------

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_query")]
    internal static partial int Query(nint connection, byte* sql, DuckDbResultStruct* outResult);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_destroy_result")]
    internal static partial void DestroyResult(DuckDbResultStruct* result);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_result_error")]
    internal static partial byte* ResultError(DuckDbResultStruct* result);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_column_count")]
    internal static partial ulong ColumnCount(DuckDbResultStruct* result);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_row_count")]
    internal static partial ulong RowCount(DuckDbResultStruct* result);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_rows_changed")]
    internal static partial ulong RowsChanged(DuckDbResultStruct* result);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_column_name")]
    internal static partial byte* ColumnName(DuckDbResultStruct* result, ulong column);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_column_type")]
    internal static partial DuckDbType ColumnType(DuckDbResultStruct* result, ulong column);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_column_logical_type")]
    internal static partial nint ColumnLogicalType(DuckDbResultStruct* result, ulong column);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_decimal_scale")]
    internal static partial byte DecimalScale(nint logicalType);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_decimal_internal_type")]
    internal static partial DuckDbType DecimalInternalType(nint logicalType);

    /// <summary>Takes the result struct by value (48 bytes, passed in memory by the SysV ABI); returns 0 when exhausted.</summary>
    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_fetch_chunk")]
    internal static partial nint FetchChunk(DuckDbResultStruct result);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_result_is_streaming")]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool ResultIsStreaming(DuckDbResultStruct result);

    // --- statements: several in one text, prepared, streamed ---------------------------------------------

    /// <summary>Splits <paramref name="sql"/> into statements; returns how many (0 on a parse error, see <see cref="ExtractStatementsError"/>).</summary>
    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_extract_statements")]
    internal static partial ulong ExtractStatements(nint connection, byte* sql, nint* outExtracted);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_extract_statements_error")]
    internal static partial byte* ExtractStatementsError(nint extracted);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_destroy_extracted")]
    internal static partial void DestroyExtracted(nint* extracted);

    /// <summary>Prepares statement <paramref name="index"/>; on error the statement holds the message (<see cref="PrepareError"/>) and must still be destroyed.</summary>
    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_prepare_extracted_statement")]
    internal static partial int PrepareExtractedStatement(nint connection, nint extracted, ulong index, nint* outPrepared);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_prepare")]
    internal static partial int Prepare(nint connection, byte* sql, nint* outPrepared);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_prepare_error")]
    internal static partial byte* PrepareError(nint prepared);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_destroy_prepare")]
    internal static partial void DestroyPrepare(nint* prepared);

    /// <summary><c>duckdb_statement_type</c>: 1 = SELECT.</summary>
    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_prepared_statement_type")]
    internal static partial int PreparedStatementType(nint prepared);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_prepared_statement_column_count")]
    internal static partial ulong PreparedStatementColumnCount(nint prepared);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_prepared_statement_column_type")]
    internal static partial DuckDbType PreparedStatementColumnType(nint prepared, ulong column);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_prepared_statement_column_name")]
    internal static partial byte* PreparedStatementColumnName(nint prepared, ulong column);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_execute_prepared")]
    internal static partial int ExecutePrepared(nint prepared, DuckDbResultStruct* outResult);

    /// <summary>Executes lazily: rows are produced as <see cref="FetchChunk"/> asks for them, so the result is never whole in memory.</summary>
    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_execute_prepared_streaming")]
    internal static partial int ExecutePreparedStreaming(nint prepared, DuckDbResultStruct* outResult);

    // --- logical types / data chunks / vectors ------------------------------------------------------------

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_create_logical_type")]
    internal static partial nint CreateLogicalType(DuckDbType type);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_destroy_logical_type")]
    internal static partial void DestroyLogicalType(nint* type);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_create_data_chunk")]
    internal static partial nint CreateDataChunk(nint* types, ulong columnCount);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_destroy_data_chunk")]
    internal static partial void DestroyDataChunk(nint* chunk);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_data_chunk_reset")]
    internal static partial void DataChunkReset(nint chunk);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_data_chunk_get_size")]
    internal static partial ulong DataChunkGetSize(nint chunk);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_data_chunk_set_size")]
    internal static partial void DataChunkSetSize(nint chunk, ulong size);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_data_chunk_get_vector")]
    internal static partial nint DataChunkGetVector(nint chunk, ulong column);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_vector_get_data")]
    internal static partial void* VectorGetData(nint vector);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_vector_get_validity")]
    internal static partial ulong* VectorGetValidity(nint vector);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_vector_ensure_validity_writable")]
    internal static partial void VectorEnsureValidityWritable(nint vector);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_validity_set_row_invalid")]
    internal static partial void ValiditySetRowInvalid(ulong* validity, ulong row);

    /// <summary>Copies the bytes into the vector's string heap (no UTF-8 check here: callers check VARCHAR themselves or trust it).</summary>
    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_vector_assign_string_element_len")]
    internal static partial void VectorAssignStringElementLen(nint vector, ulong index, byte* str, ulong length);

    /// <summary>As <see cref="VectorAssignStringElementLen"/> without DuckDB's UTF-8 check: for BLOBs and already-validated VARCHARs.</summary>
    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_unsafe_vector_assign_string_element_len")]
    internal static partial void UnsafeVectorAssignStringElementLen(nint vector, ulong index, byte* str, ulong length);

    /// <summary>Rows per data chunk (STANDARD_VECTOR_SIZE, 2048).</summary>
    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_vector_size")]
    internal static partial ulong VectorSize();

    // --- appender --------------------------------------------------------------------------------------

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_appender_create")]
    internal static partial int AppenderCreate(nint connection, byte* schema, byte* table, nint* outAppender);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_appender_error")]
    internal static partial byte* AppenderError(nint appender);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_appender_flush")]
    internal static partial int AppenderFlush(nint appender);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_appender_close")]
    internal static partial int AppenderClose(nint appender);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_appender_destroy")]
    internal static partial int AppenderDestroy(nint* appender);

    [LibraryImport(NativeLibraries.DuckDb, EntryPoint = "duckdb_append_data_chunk")]
    internal static partial int AppendDataChunk(nint appender, nint chunk);
}

/// <summary><c>duckdb_result</c> (48 bytes on 64-bit). Only DuckDB reads the fields; FastLoad uses the accessor functions.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbResultStruct
{
    public ulong DeprecatedColumnCount;
    public ulong DeprecatedRowCount;
    public ulong DeprecatedRowsChanged;
    public nint DeprecatedColumns;
    public nint DeprecatedErrorMessage;
    public nint InternalData;
}

/// <summary><c>duckdb_type</c> values (duckdb.h); the ones FastLoad reads and writes.</summary>
public enum DuckDbType
{
    Invalid = 0,
    Boolean = 1,
    TinyInt = 2,
    SmallInt = 3,
    Integer = 4,
    BigInt = 5,
    UTinyInt = 6,
    USmallInt = 7,
    UInteger = 8,
    UBigInt = 9,
    Float = 10,
    Double = 11,
    Timestamp = 12,
    Date = 13,
    Time = 14,
    Interval = 15,
    HugeInt = 16,
    Varchar = 17,
    Blob = 18,
    Decimal = 19,
    TimestampS = 20,
    TimestampMs = 21,
    TimestampNs = 22,
    Enum = 23,
    List = 24,
    Struct = 25,
    Map = 26,
    Uuid = 27,
    Union = 28,
    Bit = 29,
    TimeTz = 30,
    TimestampTz = 31,
    UHugeInt = 32,
    Array = 33,
    SqlNull = 36,
}

/// <summary>DuckDB reported an error; <see cref="Exception.Message"/> is DuckDB's message (first line).</summary>
public sealed class DuckDbException(string message) : Exception(message)
{
    internal static unsafe DuckDbException FromNative(byte* message, string fallback)
    {
        string text = message is null ? fallback : Marshal.PtrToStringUTF8((nint)message) ?? fallback;
        int newline = text.IndexOf('\n');
        return new DuckDbException(newline < 0 ? text : text[..newline].TrimEnd());
    }
}
