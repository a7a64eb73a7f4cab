"""pandas DataFrames and lists of dicts as the column specs the native module reads
(python/src/frame_columns.h describes them)."""

import numpy as np
import pandas as pd


def _column_spec(series):
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if dtype.categories.dtype == object:
            return ("categorical", series.cat.codes.to_numpy(np.int32),
                    [str(c) for c in dtype.categories])
        return series.astype(object).to_numpy()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return ("timestamp", series.to_numpy("datetime64[us]").view(np.int64))
    if pd.api.types.is_extension_array_dtype(dtype):
        # Nullable integers, booleans and strings: missing values as None.
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            return series.to_numpy(np.float64, na_value=np.nan)
        return series.astype(object).to_numpy()
    return series.to_numpy()


def as_frame(data):
    """A DataFrame from a DataFrame or a list of dicts (one per row)."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, (list, tuple)) and all(isinstance(r, dict) for r in data):
        return pd.DataFrame.from_records(list(data))
    raise TypeError(f"expected a DataFrame, a list of dicts or a 2-D numpy array, "
                    f"got {type(data).__name__}")


def column_specs(frame):
    """(names, specs) of a DataFrame's columns."""
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        raise ValueError("the DataFrame has repeated column names")
    return names, [_column_spec(frame.iloc[:, i]) for i in range(frame.shape[1])]


def from_columns(payloads):
    """A DataFrame from the native module's table columns (python/src/table_columns.h)."""
    data = {}
    for name, kind, *values in payloads:
        if kind == "numeric":
            data[name] = values[0]
        elif kind == "categorical":
            data[name] = pd.Categorical.from_codes(values[0], categories=values[1])
        elif kind == "boolean":
            data[name] = pd.arrays.BooleanArray(values[0] == 1, values[0] < 0)
        elif kind == "timestamp":
            data[name] = values[0].view("datetime64[us]").astype("datetime64[ns]")
        else:
            data[name] = np.array(values[0], dtype=object)
    return pd.DataFrame(data)
