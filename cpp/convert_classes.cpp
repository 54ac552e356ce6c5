// convert_classes.cpp: classed R values (factor, Date, POSIXct, difftime, data.frame,
// dgCMatrix) and their Python counterparts (pandas, datetime, NumPy datetime64, scipy.sparse).
#include "convert_internal.hpp"

#include <datetime.h>

#include <cmath>
#include <cstring>
#include <limits>

#include <pybind11/numpy.h>

namespace tandem {

namespace {

constexpr int64_t k_nat = std::numeric_limits<int64_t>::min();
constexpr long k_epoch_ordinal = 719163;  // datetime.date(1970, 1, 1).toordinal()

// ---- optional modules -------------------------------------------------------------
// pandas and scipy are imported on first need; a failed import is remembered.
struct optional_module {
  const char* name;
  int state = 0;  // 0 not tried, 1 available, -1 missing
  py::object get() {
    if (state == -1) return py::object();
    PyObject* m = PyImport_ImportModule(name);
    if (m == nullptr) {
      if (!PyErr_ExceptionMatches(PyExc_ImportError)) throw py::error_already_set();
      PyErr_Clear();
      state = -1;
      return py::object();
    }
    state = 1;
    return py::reinterpret_steal<py::object>(m);
  }
};
optional_module g_pandas{"pandas"};
optional_module g_scipy_sparse{"scipy.sparse"};

// A module only if something already imported it (for type checks of Python objects).
py::object loaded_module(const char* name) {
  PyObject* m = PyImport_GetModule(py::str(name).ptr());
  if (m == nullptr && PyErr_Occurred()) PyErr_Clear();
  return py::reinterpret_steal<py::object>(m);
}

void ensure_datetime_api() {
  if (PyDateTimeAPI == nullptr) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == nullptr) throw py::error_already_set();
  }
}

py::module_ numpy() { return py::module_::import("numpy"); }

SEXP with_class(SEXP x, std::initializer_list<const char*> cls) {
  protect_scope p;
  p(x);
  SEXP c = p(r_alloc(STRSXP, (R_xlen_t)cls.size()));
  R_xlen_t i = 0;
  for (const char* s : cls) SET_STRING_ELT(c, i++, Rf_mkChar(s));
  r_safe([&] {
    Rf_setAttrib(x, R_ClassSymbol, c);
    return R_NilValue;
  });
  return x;
}

void set_attr(SEXP x, const char* name, SEXP value) {
  protect_scope p;
  p(value);
  r_safe([&] {
    Rf_setAttrib(x, Rf_install(name), value);
    return R_NilValue;
  });
}

SEXP mk_string(const std::string& s) {
  return r_safe([&] { return Rf_ScalarString(Rf_mkCharCE(s.c_str(), CE_UTF8)); });
}

std::string r_string_attr(SEXP x, const char* name) {
  SEXP a = Rf_getAttrib(x, Rf_install(name));
  if (TYPEOF(a) != STRSXP || XLENGTH(a) < 1 || STRING_ELT(a, 0) == NA_STRING) return "";
  return charsxp_utf8(STRING_ELT(a, 0));
}

double real_at(SEXP x, R_xlen_t i) {
  if (TYPEOF(x) == INTSXP) {
    int v = INTEGER_ELT(x, i);
    return v == NA_INTEGER ? NA_REAL : (double)v;
  }
  return REAL_ELT(x, i);
}

// The shape of x in NumPy: its dim, else its length.
std::vector<py::ssize_t> r_shape(SEXP x) {
  SEXP dim = Rf_getAttrib(x, R_DimSymbol);
  if (TYPEOF(dim) != INTSXP) return {(py::ssize_t)Rf_xlength(x)};
  return std::vector<py::ssize_t>(INTEGER(dim), INTEGER(dim) + XLENGTH(dim));
}

// A new int64-based NumPy array of `dtype` in Fortran order (R's order: element i of the R
// vector is element i of the buffer). Copy target.
py::array int64_array(const char* dtype, const std::vector<py::ssize_t>& shape) {
  py::tuple t(shape.size());
  for (size_t i = 0; i < shape.size(); i++) t[i] = py::int_(shape[i]);
  return numpy().attr("empty")(t, py::arg("dtype") = dtype, py::arg("order") = "F");
}

// round(v * scale) as int64 ticks; the whole and fractional parts of v are scaled apart
// (both exactly when scale is 1e9 and |v| < 4.6e9), so 0.25 s stays 250000000 ns.
int64_t checked_int64(double v, double scale, const char* what) {
  if (!(std::fabs(v * scale) < 9.2e18))
    throw tandem_error(std::string("`") + what + "` value " + std::to_string(v) + " is outside NumPy's range",
                       tandem_error::value);
  double whole = std::floor(v);
  return (int64_t)std::llround(whole * scale) + (int64_t)std::llround((v - whole) * scale);
}

// ---- Date, POSIXct, difftime: R -> Python -------------------------------------------
// Copies. Length-1 values without dim become datetime scalars; others NumPy arrays of the
// same shape (NA as NaT).
py::object date_to_py(SEXP x, bool scalar_ok) {
  R_xlen_t n = XLENGTH(x);
  if (n == 1 && scalar_ok && Rf_getAttrib(x, R_DimSymbol) == R_NilValue) {
    double d = real_at(x, 0);
    if (std::isnan(d)) return py::none();
    if (!std::isfinite(d)) throw tandem_error("an infinite Date has no Python equivalent", tandem_error::value);
    ensure_datetime_api();
    return py::module_::import("datetime").attr("date").attr("fromordinal")(
        py::int_((long long)std::floor(d) + k_epoch_ordinal));
  }
  py::array out = int64_array("datetime64[D]", r_shape(x));
  auto* o = static_cast<int64_t*>(out.mutable_data());
  interrupt_check ic;
  for (R_xlen_t i = 0; i < n; i++) {
    if ((i & (k_poll_every - 1)) == 0) ic.poll();
    double d = real_at(x, i);
    if (std::isnan(d)) o[i] = k_nat;
    else if (!std::isfinite(d)) throw tandem_error("an infinite Date has no NumPy equivalent", tandem_error::value);
    else o[i] = (int64_t)std::floor(d);
  }
  return std::move(out);
}

// As reticulate (NEWS 1.36): a length-1 POSIXct with a time zone (`tzone`) becomes an aware
// datetime.datetime; one without a time zone becomes a datetime64[ns] array (UTC instants,
// NaT for NA), also for length 1. Longer vectors (a list of datetimes in reticulate, see
// README), arrays with dim and data frame columns (scalar_ok false) are datetime64[ns]
// arrays of their shape.
py::object posixct_to_py(SEXP x, bool scalar_ok) {
  R_xlen_t n = XLENGTH(x);
  std::string tz = r_string_attr(x, "tzone");
  if (n == 1 && !tz.empty() && scalar_ok && Rf_getAttrib(x, R_DimSymbol) == R_NilValue) {
    double s = real_at(x, 0);
    if (std::isnan(s)) return py::none();
    if (!std::isfinite(s)) throw tandem_error("an infinite POSIXct has no Python equivalent", tandem_error::value);
    py::module_ dt = py::module_::import("datetime");
    py::object utc = dt.attr("timezone").attr("utc");
    py::object value = dt.attr("datetime").attr("fromtimestamp")(s, utc);
    if (tz == "UTC" || tz == "GMT") return value;
    return value.attr("astimezone")(py::module_::import("zoneinfo").attr("ZoneInfo")(tz));
  }
  py::array out = int64_array("datetime64[ns]", r_shape(x));
  auto* o = static_cast<int64_t*>(out.mutable_data());
  interrupt_check ic;
  for (R_xlen_t i = 0; i < n; i++) {
    if ((i & (k_poll_every - 1)) == 0) ic.poll();
    double s = real_at(x, i);
    o[i] = std::isnan(s) ? k_nat : checked_int64(s, 1e9, "POSIXct");
  }
  return std::move(out);
}

struct time_unit {
  const char* r;      // difftime units
  const char* numpy;  // timedelta64 unit
  double seconds;
};
constexpr time_unit k_units[] = {
    {"secs", "s", 1}, {"mins", "m", 60}, {"hours", "h", 3600}, {"days", "D", 86400}, {"weeks", "W", 604800}};

py::object difftime_to_py(SEXP x, bool scalar_ok) {
  R_xlen_t n = XLENGTH(x);
  std::string units = r_string_attr(x, "units");
  const time_unit* u = nullptr;
  for (const auto& k : k_units)
    if (units == k.r) u = &k;
  if (u == nullptr) throw tandem_error("a difftime with units \"" + units + "\" has no Python equivalent", tandem_error::value);
  if (n == 1 && scalar_ok && Rf_getAttrib(x, R_DimSymbol) == R_NilValue) {
    double v = real_at(x, 0);
    if (std::isnan(v)) return py::none();
    return py::module_::import("datetime").attr("timedelta")(py::arg("seconds") = v * u->seconds);
  }
  // Whole numbers keep their unit (a lossless round trip); others become nanoseconds.
  bool whole = true;
  for (R_xlen_t i = 0; i < n && whole; i++) {
    double v = real_at(x, i);
    whole = std::isnan(v) || (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15);
  }
  py::array out = int64_array(whole ? (std::string("timedelta64[") + u->numpy + "]").c_str() : "timedelta64[ns]", r_shape(x));
  auto* o = static_cast<int64_t*>(out.mutable_data());
  interrupt_check ic;
  for (R_xlen_t i = 0; i < n; i++) {
    if ((i & (k_poll_every - 1)) == 0) ic.poll();
    double v = real_at(x, i);
    o[i] = std::isnan(v) ? k_nat : whole ? (int64_t)v : checked_int64(v, u->seconds * 1e9, "difftime");
  }
  return std::move(out);
}

// ---- POSIXlt, integer64: R -> Python ------------------------------------------------------
// POSIXlt (a list of broken-down fields) crosses as R's as.POSIXct() of it would.
py::object posixlt_to_py(SEXP x, bool scalar_ok) {
  protect_scope p;
  SEXP call = p(r_safe([&] { return Rf_lang2(Rf_install("as.POSIXct"), x); }));
  SEXP ct = p(r_eval(call, R_BaseEnv));
  if (TYPEOF(ct) != REALSXP || !Rf_inherits(ct, "POSIXct"))
    throw tandem_error("as.POSIXct() of a POSIXlt value did not return a POSIXct vector", tandem_error::value);
  return posixct_to_py(ct, scalar_ok);
}

// bit64::integer64 (doubles holding int64 bits, NA as the int64 minimum). A length-1 value
// without dim is a Python int (NA: None); others are NumPy int64 arrays of the same shape:
// a read-only view of R's memory without NA, else a masked array (a copy, NA masked).
py::object integer64_to_py(SEXP x, bool scalar_ok) {
  R_xlen_t n = XLENGTH(x);
  if (n == 1 && scalar_ok && Rf_getAttrib(x, R_DimSymbol) == R_NilValue) {
    int64_t v;
    double d = REAL_ELT(x, 0);
    std::memcpy(&v, &d, sizeof v);
    if (v == std::numeric_limits<int64_t>::min()) return py::none();
    return py::reinterpret_steal<py::object>(PyLong_FromLongLong(v));
  }
  return r_integer64_to_numpy(x, r_shape(x));
}

// ---- factors ------------------------------------------------------------------------
// A data frame's factor column: pandas.Categorical (codes copied, NA as -1), or the labels
// (str, NA as None) without pandas. A bare factor (categorical = false): the labels, as
// reticulate gives them (a str for length 1).
py::object factor_to_py(SEXP x, bool scalar_ok, bool categorical = true) {
  R_xlen_t n = XLENGTH(x);
  SEXP levels = Rf_getAttrib(x, R_LevelsSymbol);
  R_xlen_t nlev = TYPEOF(levels) == STRSXP ? XLENGTH(levels) : 0;
  const int* codes = static_cast<const int*>(DATAPTR_OR_NULL(x));
  std::vector<int> tmp;
  if (codes == nullptr) {
    tmp.resize(n);
    INTEGER_GET_REGION(x, 0, n, tmp.data());
    codes = tmp.data();
  }
  for (R_xlen_t i = 0; i < n; i++)
    if (codes[i] != NA_INTEGER && (codes[i] < 1 || codes[i] > nlev))
      throw tandem_error("a factor code (" + std::to_string(codes[i]) + " at position " + std::to_string(i + 1) +
                             ") is outside its " + std::to_string(nlev) + " levels",
                         tandem_error::value);
  py::list cats(nlev);
  for (R_xlen_t k = 0; k < nlev; k++) cats[k] = py::reinterpret_steal<py::object>(charsxp_to_py(STRING_ELT(levels, k)));
  py::object pd = categorical ? g_pandas.get() : py::object();
  if (!pd) {
    if (n == 1 && scalar_ok) return codes[0] == NA_INTEGER ? py::none() : py::object(cats[codes[0] - 1]);
    py::list out(n);
    release_later_on_interrupt later(out);
    interrupt_check ic;
    for (R_xlen_t i = 0; i < n; i++) {
      if ((i & (k_poll_every - 1)) == 0) ic.poll();
      out[i] = codes[i] == NA_INTEGER ? py::none() : py::object(cats[codes[i] - 1]);
    }
    return std::move(out);
  }
  // pandas has no missing category: an NA level (factor(x, exclude = NULL)) is left out
  // of the categories and its values are missing (code -1), so NA stays missing.
  std::vector<int32_t> remap;  // level k (0-based) -> category code, -1 for an NA level
  for (R_xlen_t k = 0; k < nlev; k++) {
    if (STRING_ELT(levels, k) != NA_STRING) continue;
    remap.resize(nlev);
    py::list kept;
    for (R_xlen_t j = 0; j < nlev; j++) {
      if (STRING_ELT(levels, j) == NA_STRING) {
        remap[j] = -1;
      } else {
        remap[j] = (int32_t)py::len(kept);
        kept.append(cats[j]);
      }
    }
    cats = std::move(kept);
    break;
  }
  py::array_t<int32_t> c((py::ssize_t)n);
  int32_t* o = c.mutable_data();
  for (R_xlen_t i = 0; i < n; i++)
    o[i] = codes[i] == NA_INTEGER ? -1 : remap.empty() ? codes[i] - 1 : remap[codes[i] - 1];
  return pd.attr("Categorical").attr("from_codes")(c, py::arg("categories") = cats,
                                                  py::arg("ordered") = Rf_inherits(x, "ordered") ? true : false);
}

// ---- data frames ---------------------------------------------------------------------
// One column as a 1-D array-like of length n. Views for double/complex/integer columns
// without NA (pandas then copies into its blocks), copies otherwise. `nullable`:
// options(reticulate.pandas_use_nullable_dtypes = TRUE), as reticulate (NEWS 1.32): every
// integer, logical, double and character column becomes a pandas nullable array (Int32,
// boolean, Float64 with NA/NaN masked, string), with or without NA.
py::object column_to_py(SEXP col, const py::object& pd, bool& tz_column, std::string& tz, bool nullable) {
  tz_column = false;
  if (OBJECT(col)) {
    if (Rf_inherits(col, "factor") && TYPEOF(col) == INTSXP) return factor_to_py(col, false);
    if (Rf_inherits(col, "Date")) return date_to_py(col, false);
    if (Rf_inherits(col, "POSIXct")) {
      tz = r_string_attr(col, "tzone");
      tz_column = !tz.empty();
      return posixct_to_py(col, false);
    }
    if (Rf_inherits(col, "difftime")) return difftime_to_py(col, false);
    if (TYPEOF(col) == REALSXP && Rf_inherits(col, "integer64")) {
      py::object a = r_integer64_to_numpy(col, {(py::ssize_t)XLENGTH(col)});
      // With NA: pandas' nullable Int64 keeps NA apart from the values (a masked array
      // would become float64 in pandas and lose precision).
      if (pd && py::hasattr(a, "mask")) return pd.attr("arrays").attr("IntegerArray")(a.attr("data"), a.attr("mask"));
      return a;
    }
    return r_to_py(col, true);
  }
  switch (TYPEOF(col)) {
    case STRSXP:
      // pandas' string dtype, so that empty and all-NA columns stay strings
      if (pd) return pd.attr("array")(r_vector_to_numpy(col), py::arg("dtype") = nullable ? "string" : "str");
      return r_vector_to_numpy(col);
    case REALSXP:
      if (nullable && pd) {
        py::array values = py::array(r_vector_to_numpy(col)).attr("copy")();  // the array keeps it
        py::object mask = py::module_::import("numpy").attr("isnan")(values);
        return pd.attr("arrays").attr("FloatingArray")(values, mask);
      }
      return r_vector_to_numpy(col);
    case CPLXSXP:
      return r_vector_to_numpy(col);
    case INTSXP:
    case LGLSXP: {
      R_xlen_t n = XLENGTH(col);
      bool has_na = false;
      for (R_xlen_t i = 0; i < n && !has_na; i++) has_na = (TYPEOF(col) == INTSXP ? INTEGER_ELT(col, i) : LOGICAL_ELT(col, i)) == NA_INTEGER;
      if ((!has_na && !nullable) || !pd) return r_vector_to_numpy(col);
      // pandas' nullable arrays keep NA apart from the values: a lossless round trip.
      bool is_int = TYPEOF(col) == INTSXP;
      py::array values = is_int ? py::array(py::array_t<int32_t>((py::ssize_t)n)) : py::array(py::array_t<bool>((py::ssize_t)n));
      py::array_t<bool> mask((py::ssize_t)n);
      bool* m = mask.mutable_data();
      for (R_xlen_t i = 0; i < n; i++) {
        int v = is_int ? INTEGER_ELT(col, i) : LOGICAL_ELT(col, i);
        m[i] = v == NA_INTEGER;
        if (is_int) static_cast<int32_t*>(values.mutable_data())[i] = m[i] ? 0 : v;
        else static_cast<bool*>(values.mutable_data())[i] = !m[i] && v != 0;
      }
      return pd.attr("arrays").attr(is_int ? "IntegerArray" : "BooleanArray")(values, mask);
    }
    default:
      return r_to_py(col, true);
  }
}

// data.frame -> pandas.DataFrame (pandas copies the columns into its blocks), or a dict
// of NumPy arrays (views/copies as column_to_py says) without pandas.
py::object dataframe_to_py(SEXP x) {
  R_xlen_t ncol = XLENGTH(x);
  SEXP names = Rf_getAttrib(x, R_NamesSymbol);
  SEXP rn = Rf_getAttrib(x, R_RowNamesSymbol);
  R_xlen_t nrow = rn == R_NilValue ? (ncol ? Rf_xlength(VECTOR_ELT(x, 0)) : 0) : XLENGTH(rn);
  py::object pd = g_pandas.get();
  // reticulate's code reads reticulate.pandas_use_nullable_dtypes; its vignette ("Calling
  // Python from R") writes reticulate.pandas_use_nullable_data_types: either turns it on.
  auto option_true = [](const char* name) {
    SEXP v = Rf_GetOption1(Rf_install(name));
    return TYPEOF(v) == LGLSXP && XLENGTH(v) == 1 && LOGICAL(v)[0] == TRUE;
  };
  bool nullable = option_true("reticulate.pandas_use_nullable_dtypes") ||
                  option_true("reticulate.pandas_use_nullable_data_types");
  py::list keys(ncol);
  for (R_xlen_t j = 0; j < ncol; j++) {
    if (names == R_NilValue) keys[j] = py::str("V" + std::to_string(j + 1));
    else keys[j] = py::reinterpret_steal<py::object>(charsxp_to_py(STRING_ELT(names, j)));
    if (keys[j].is_none()) keys[j] = py::str("NA");
  }
  py::dict columns;
  std::vector<std::pair<R_xlen_t, std::string>> tz_columns;
  interrupt_check ic;
  for (R_xlen_t j = 0; j < ncol; j++) {
    ic.poll();
    SEXP col = VECTOR_ELT(x, j);
    SEXP dim = Rf_getAttrib(col, R_DimSymbol);
    bool packed = Rf_inherits(col, "data.frame");
    if (packed || Rf_xlength(dim) > 1)
      throw tandem_error("column '" + std::string(py::str(keys[j])) + "' of the data frame is a " +
                             (packed ? "data frame (a packed column)" : "matrix") +
                             "; a pandas column holds one value per row: unpack it first (tidyr::unpack(), or "
                             "cbind() its columns)",
                         tandem_error::value);
    if (Rf_xlength(col) != nrow)
      throw tandem_error("column " + std::to_string(j + 1) + " of the data frame has " + std::to_string(Rf_xlength(col)) +
                             " values, not " + std::to_string(nrow),
                         tandem_error::value);
    bool has_tz = false;
    std::string tz;
    py::object v = column_to_py(col, pd, has_tz, tz, nullable);
    if (has_tz) tz_columns.emplace_back(j, tz);
    if (pd) columns[py::int_((Py_ssize_t)j)] = v;
    else columns[keys[j]] = v;
  }
  if (!pd) return std::move(columns);  // a dict of NumPy arrays
  py::object index = py::none();
  if (TYPEOF(rn) == STRSXP) index = r_vector_to_numpy(rn);
  else index = pd.attr("RangeIndex")(py::int_((Py_ssize_t)nrow));
  py::object df = pd.attr("DataFrame")(columns, py::arg("index") = index);
  for (auto& c : tz_columns) {
    py::object s = df.attr("iloc").attr("__getitem__")(py::make_tuple(py::slice(py::none(), py::none(), py::none()), c.first));
    py::object aware = s.attr("dt").attr("tz_localize")("UTC").attr("dt").attr("tz_convert")(c.second);
    df.attr("isetitem")(c.first, aware);
  }
  df.attr("columns") = pd.attr("Index")(keys);
  return df;
}

// ---- sparse matrices -----------------------------------------------------------------
// dgCMatrix -> scipy.sparse.csc_matrix. Copy (scipy may sort indices in place).
py::object dgc_to_py(SEXP x) {
  py::object sp = g_scipy_sparse.get();
  if (!sp) return py::object();
  SEXP i = R_do_slot(x, Rf_install("i")), p = R_do_slot(x, Rf_install("p")), v = R_do_slot(x, Rf_install("x"));
  SEXP dim = R_do_slot(x, Rf_install("Dim"));
  py::tuple data = py::make_tuple(r_vector_to_numpy(v), r_vector_to_numpy(i), r_vector_to_numpy(p));
  return sp.attr("csc_matrix")(data, py::arg("shape") = py::make_tuple(INTEGER(dim)[0], INTEGER(dim)[1]),
                               py::arg("copy") = true);
}

// ---- Python -> R ----------------------------------------------------------------------
// NumPy datetime64 -> Date (units D, W, M, Y) or POSIXct (UTC); timedelta64 -> difftime
// (weeks/days/hours/mins/secs kept, other units as secs). Copy; NaT becomes NA.
SEXP datetime64_to_r(const py::array& a0) {
  py::module_ np = numpy();
  py::array a = a0;
  bool is_time = a.dtype().kind() == 'M';
  py::tuple unit_count = np.attr("datetime_data")(a.dtype());
  std::string unit = unit_count[0].cast<std::string>();
  long long count = unit_count[1].cast<long long>();
  if (unit == "Y" || unit == "M") {
    if (!is_time)
      throw tandem_error("NumPy timedelta64 in years or months has no fixed length in seconds; R cannot hold it",
                         tandem_error::value);
    a = a.attr("astype")("datetime64[D]");
    unit = "D";
    count = 1;
  }
  double secs = unit == "W" ? 604800 : unit == "D" ? 86400 : unit == "h" ? 3600 : unit == "m" ? 60 : unit == "s" ? 1
              : unit == "ms" ? 1e-3 : unit == "us" ? 1e-6 : unit == "ns" ? 1e-9 : unit == "generic" ? 1 : 0;
  if (secs == 0) {  // ps, fs, as: nanoseconds are as fine as R's doubles get
    a = a.attr("astype")(is_time ? "datetime64[ns]" : "timedelta64[ns]");
    secs = 1e-9;
    count = 1;
  }
  std::vector<py::ssize_t> shape(a.shape(), a.shape() + a.ndim());
  auto v = py::array_t<int64_t, py::array::f_style | py::array::forcecast>::ensure(a.attr("view")("int64"));
  if (!v) throw py::error_already_set();
  R_xlen_t n = (R_xlen_t)v.size();
  const int64_t* d = v.data();
  // What one tick is in the R unit, and the R unit.
  bool as_date = is_time && secs >= 86400;
  const char* units = "secs";
  double tick = secs * count;
  if (as_date) tick = tick / 86400;
  if (!is_time && count == 1) {
    for (const auto& k : k_units)
      if (secs == k.seconds) {
        units = k.r;
        tick = 1;
      }
  }
  // Sub-second ticks: whole seconds and the remainder apart, so no precision is lost early.
  long long per_sec = (secs < 1 && count == 1) ? std::llround(1 / secs) : 0;
  protect_scope p;
  SEXP out = p(r_alloc(REALSXP, n));
  double* o = REAL(out);
  interrupt_check ic;
  for (R_xlen_t k = 0; k < n; k++) {
    if ((k & (k_poll_every - 1)) == 0) ic.poll();
    if (d[k] == k_nat) o[k] = NA_REAL;
    else if (per_sec > 0) o[k] = (double)(d[k] / per_sec) + (double)(d[k] % per_sec) / (double)per_sec;
    else o[k] = (double)d[k] * tick;
  }
  set_dims(out, shape);
  if (!is_time) {
    set_attr(out, "units", mk_string(units));
    return with_class(out, {"difftime"});
  }
  if (as_date) return with_class(out, {"Date"});
  return with_class(out, {"POSIXct", "POSIXt"});  // naive: no tzone, as reticulate
}

// pandas.Categorical -> factor (levels: the categories as str). Copy.
SEXP categorical_to_r(const py::object& cat) {
  py::object codes = numpy().attr("asarray")(cat.attr("codes"), py::arg("dtype") = "int32");
  py::array c = codes.cast<py::array>();
  R_xlen_t n = (R_xlen_t)c.size();
  const int32_t* d = static_cast<const int32_t*>(c.data());
  protect_scope p;
  SEXP out = p(r_alloc(INTSXP, n));
  for (R_xlen_t i = 0; i < n; i++) INTEGER(out)[i] = d[i] < 0 ? NA_INTEGER : d[i] + 1;
  py::object labels = numpy().attr("asarray")(cat.attr("categories").attr("astype")("str"), py::arg("dtype") = "object");
  SEXP levels = p(drop_dim(ndarray_to_r(labels.ptr())));
  if (TYPEOF(levels) != STRSXP) throw tandem_error("pandas categories could not become R factor levels", tandem_error::value);
  set_attr(out, "levels", levels);
  bool ordered = cat.attr("ordered").cast<bool>();
  return ordered ? with_class(out, {"ordered", "factor"}) : with_class(out, {"factor"});
}

// Positions where `mask` (a NumPy bool array) is true become NA in x (a copy is made).
SEXP apply_mask(SEXP x, const py::object& mask) {
  py::array_t<bool, py::array::forcecast> m = mask.cast<py::array>();
  protect_scope p;
  x = p(r_safe([&] { return Rf_duplicate(x); }));  // x may be an ALTREP view: write a copy
  const bool integer64 = TYPEOF(x) == REALSXP && Rf_inherits(x, "integer64");
  const int64_t na64 = std::numeric_limits<int64_t>::min();
  for (R_xlen_t i = 0; i < (R_xlen_t)m.size(); i++) {
    if (!m.data()[i]) continue;
    switch (TYPEOF(x)) {
      case INTSXP: INTEGER(x)[i] = NA_INTEGER; break;
      case LGLSXP: LOGICAL(x)[i] = NA_LOGICAL; break;
      case REALSXP:
        if (integer64) std::memcpy(REAL(x) + i, &na64, sizeof na64);
        else REAL(x)[i] = NA_REAL;
        break;
      case STRSXP: SET_STRING_ELT(x, i, NA_STRING); break;
      case CPLXSXP: COMPLEX(x)[i].r = COMPLEX(x)[i].i = NA_REAL; break;
      case VECSXP: SET_VECTOR_ELT(x, i, R_NilValue); break;
      default: break;
    }
  }
  return x;
}

// A pandas Series (or Index) -> an R vector, by its dtype, without names.
SEXP series_to_r(const py::object& s, const py::object& pd) {
  py::object dtype = s.attr("dtype");
  py::object api = pd.attr("api").attr("types");
  if (py::isinstance(dtype, pd.attr("CategoricalDtype"))) return categorical_to_r(s.attr("array"));
  if (py::isinstance(dtype, pd.attr("DatetimeTZDtype"))) {
    std::string tz = py::str(dtype.attr("tz"));
    py::object naive = s.attr("dt").attr("tz_convert")("UTC").attr("dt").attr("tz_localize")(py::none());
    protect_scope p;
    SEXP out = p(drop_dim(py_to_r(naive.attr("to_numpy")().ptr())));
    set_attr(out, "tzone", mk_string(tz));
    return out;
  }
  bool is_numpy_dtype = py::isinstance(dtype, numpy().attr("dtype"));
  if (!is_numpy_dtype) {
    std::string kind = py::str(dtype.attr("kind"));
    py::object mask = s.attr("isna")().attr("to_numpy")();
    py::object values;
    if (kind == "i" || kind == "u" || kind == "b" || kind == "f")
      values = s.attr("to_numpy")(py::arg("dtype") = dtype.attr("numpy_dtype"),
                                  py::arg("na_value") = kind == "b" ? py::object(py::bool_(false)) : py::object(py::int_(0)));
    else
      values = s.attr("to_numpy")(py::arg("dtype") = "object", py::arg("na_value") = py::none());
    if (py::isinstance(dtype, pd.attr("StringDtype"))) return drop_dim(str_object_array_to_r(values.ptr()));
    protect_scope p;
    SEXP out = p(drop_dim(py_to_r(values.ptr())));
    if (kind == "i" || kind == "u" || kind == "b" || kind == "f") return apply_mask(out, mask);
    return out;
  }
  return drop_dim(py_to_r(s.attr("to_numpy")().ptr()));
}

// The row names of a DataFrame with this index, by reticulate's rules, or R_NilValue for
// none (1..n): the default RangeIndex(0, n) gives none; any other RangeIndex its values + 1
// (R counts from 1); a DatetimeIndex its times as text; an index of strings or numbers its
// values (numbers as text, integers as they are), but none, with a warning, when one
// repeats (R forbids that), and an error when one is missing; any other index (MultiIndex,
// categories, booleans) none.
SEXP row_names_from(SEXP values, bool datetime);
static SEXP index_row_names(const py::object& index, R_xlen_t nrow, const py::object& pd) {
  if (py::isinstance(index, pd.attr("RangeIndex"))) {
    if (index.attr("start").cast<long long>() == 0 && index.attr("step").cast<long long>() == 1 &&
        (R_xlen_t)py::len(index) == nrow)
      return R_NilValue;
    return row_names_from(ndarray_to_r((index.attr("to_numpy")().attr("astype")("float64") + py::int_(1)).ptr()), false);
  }
  bool datetime = py::isinstance(index, pd.attr("DatetimeIndex"));
  return row_names_from(series_to_r(index.attr("to_series")(), pd), datetime);
}

// pandas.DataFrame -> data.frame, column by column (series_to_r). Columns are copies,
// except float64/int32/complex128 NumPy-backed ones, which may be ALTREP views of pandas'
// blocks (pandas marks such arrays read-only; R's writes go to a private copy).
SEXP dataframe_to_r(const py::object& df, const py::object& pd) {
  py::object cols = df.attr("columns");
  R_xlen_t ncol = (R_xlen_t)py::len(cols);
  R_xlen_t nrow = (R_xlen_t)py::len(df);
  protect_scope p;
  SEXP out = p(r_alloc(VECSXP, ncol));
  SEXP names = p(r_alloc(STRSXP, ncol));
  py::object iloc = df.attr("iloc");
  py::object all = py::slice(py::none(), py::none(), py::none());
  // Every column (and the index) first: converting a column may run code (a py_to_r method
  // for its objects) that changes the frame; the result is the frame as it was.
  std::vector<py::object> labels, columns;
  for (R_xlen_t j = 0; j < ncol; j++) {
    labels.push_back(cols.attr("__getitem__")(py::int_((Py_ssize_t)j)));
    columns.push_back(iloc.attr("__getitem__")(py::make_tuple(all, py::int_((Py_ssize_t)j))));
  }
  py::object index = df.attr("index");
  interrupt_check ic;
  for (R_xlen_t j = 0; j < ncol; j++) {
    ic.poll();
    py::str key = py::str(labels[(size_t)j]);
    SET_STRING_ELT(names, j, py_str_to_charsxp(key.ptr()));
    SEXP col = series_to_r(columns[(size_t)j], pd);
    SET_VECTOR_ELT(out, j, col);
    if (Rf_xlength(col) != nrow)
      throw tandem_error("column '" + std::string(key) + "' of the DataFrame did not become an R vector of length " +
                             std::to_string(nrow),
                         tandem_error::value);
  }
  set_attr(out, "names", names);
  SEXP rn = index_row_names(index, nrow, pd);
  if (rn == R_NilValue) {  // R's compact form of 1..n
    rn = r_alloc(INTSXP, 2);
    INTEGER(rn)[0] = NA_INTEGER;
    INTEGER(rn)[1] = -(int)nrow;
  }
  set_attr(out, "row.names", p(rn));
  return with_class(out, {"data.frame"});
}

SEXP g_make_dgc = nullptr;

// The R function that `code` (R source) defines, evaluated in base; preserved, made once
// per call site (keep the result in a static).
SEXP r_function_from_source(const char* code) {
  protect_scope p;
  SEXP parsed = p(r_safe([&] {
    ParseStatus st;
    SEXP text = PROTECT(Rf_mkString(code));
    SEXP out = R_ParseVector(text, -1, &st, R_NilValue);
    UNPROTECT(1);
    return out;
  }));
  SEXP fn = r_eval(VECTOR_ELT(parsed, 0), R_BaseEnv);
  R_PreserveObject(fn);
  return fn;
}

// Row names from the converted values of an index (index_row_names()), by an R function.
SEXP row_names_from(SEXP values, bool datetime) {
  static SEXP fn = nullptr;
  protect_scope p;
  p(values);
  if (fn == nullptr) {
    fn = r_function_from_source(
        "function(x, datetime) {\n"
        "  names(x) <- NULL\n"
        "  if (datetime) x <- as.character(x)\n"
        "  else if (is.object(x) || !(is.character(x) || is.numeric(x))) return(NULL)\n"
        "  if (anyDuplicated(x)) {\n"
        "    warning('index contains duplicated values: row names not set', call. = FALSE)\n"
        "    return(NULL)\n"
        "  }\n"
        "  if (anyNA(x)) stop(\"missing values in the DataFrame's index cannot be R row names\", call. = FALSE)\n"
        "  if (is.integer(x)) x else as.character(x)\n"
        "}");
  }
  SEXP flag = p(r_safe([&] { return Rf_ScalarLogical(datetime ? 1 : 0); }));
  SEXP call = p(r_safe([&] { return Rf_lang3(fn, values, flag); }));
  return r_eval(call, R_BaseEnv);
}

// A 2-D scipy sparse matrix -> Matrix, as reticulate: CSR -> dgRMatrix, COO -> dgTMatrix
// (duplicates summed), any other format -> dgCMatrix (via methods::new; needs Matrix). Copy.
SEXP sparse_to_r(const py::object& m0) {
  std::string format = py::str(m0.attr("format"));
  const char* cls = format == "csr" ? "dgRMatrix" : format == "coo" ? "dgTMatrix" : "dgCMatrix";
  py::object m = format == "csr" || format == "coo" ? m0.attr("copy")() : m0.attr("tocsc")(py::arg("copy") = true);
  m.attr("sum_duplicates")();
  if (format != "coo") m.attr("sort_indices")();
  std::string kind = py::str(m.attr("dtype").attr("kind"));
  if (kind == "c") throw tandem_error("complex sparse matrices have no R equivalent in Matrix (its matrices are double)", tandem_error::value);
  py::module_ np = numpy();
  auto ints = [&](const char* attr) { return np.attr("asarray")(m.attr(attr), py::arg("dtype") = "int32"); };
  protect_scope p;
  SEXP x = p(drop_dim(py_to_r(np.attr("asarray")(m.attr("data"), py::arg("dtype") = "float64").ptr())));
  // slots: i and p of dgCMatrix, j and p of dgRMatrix, i and j of dgTMatrix
  SEXP a = p(drop_dim(py_to_r(ints(format == "coo" ? "row" : "indices").ptr())));
  SEXP b = p(drop_dim(py_to_r(ints(format == "coo" ? "col" : "indptr").ptr())));
  py::tuple shape = m.attr("shape");
  SEXP dim = p(r_alloc(INTSXP, 2));
  INTEGER(dim)[0] = shape[0].cast<int>();
  INTEGER(dim)[1] = shape[1].cast<int>();
  if (g_make_dgc == nullptr) {
    g_make_dgc = r_function_from_source(
        "function(cls, a, b, x, Dim) {\n"
        "  if (!requireNamespace('Matrix', quietly = TRUE))\n"
        "    stop('the R package Matrix is needed to convert a scipy sparse matrix', call. = FALSE)\n"
        "  a <- as.integer(a); b <- as.integer(b); x <- as.double(x)\n"
        "  switch(cls,\n"
        "    dgRMatrix = methods::new('dgRMatrix', j = a, p = b, x = x, Dim = Dim),\n"
        "    dgTMatrix = methods::new('dgTMatrix', i = a, j = b, x = x, Dim = Dim),\n"
        "    methods::new('dgCMatrix', i = a, p = b, x = x, Dim = Dim))\n"
        "}");
  }
  SEXP cls_s = p(r_safe([&] { return Rf_mkString(cls); }));
  SEXP call = p(r_safe([&] { return Rf_lang6(g_make_dgc, cls_s, a, b, x, dim); }));
  return r_eval(call, R_GlobalEnv);
}

}  // namespace

// R -> Python for the classes above. Ownership per class: see each function.
py::object r_to_py_classed(SEXP x) {
  bool scalar_ok = !Rf_inherits(x, "AsIs");
  switch (TYPEOF(x)) {
    case INTSXP:
      if (Rf_inherits(x, "factor")) return factor_to_py(x, scalar_ok, false);
      [[fallthrough]];
    case REALSXP:
      if (TYPEOF(x) == REALSXP && Rf_inherits(x, "integer64")) return integer64_to_py(x, scalar_ok);
      if (Rf_inherits(x, "Date")) return date_to_py(x, scalar_ok);
      if (Rf_inherits(x, "POSIXct")) return posixct_to_py(x, scalar_ok);
      if (Rf_inherits(x, "difftime")) return difftime_to_py(x, scalar_ok);
      return py::object();
    case VECSXP:
      if (Rf_inherits(x, "data.frame")) return dataframe_to_py(x);
      if (Rf_inherits(x, "POSIXlt")) return posixlt_to_py(x, scalar_ok);
      return py::object();
    case S4SXP:
      if (Rf_inherits(x, "dgCMatrix")) return dgc_to_py(x);
      return py::object();
    default:
      return py::object();
  }
}

// numpy.ma.MaskedArray: its data (masked slots filled with 0 for numbers, so that they
// raise no precision errors), then NA where the mask is set. Copy.
SEXP masked_to_r(const py::object& m) {
  py::module_ ma = py::module_::import("numpy.ma");
  std::string kind = py::str(m.attr("dtype").attr("kind"));
  py::object data = std::string("biufc").find(kind) != std::string::npos ? ma.attr("filled")(m, 0) : ma.attr("getdata")(m);
  py::object mask = ma.attr("getmaskarray")(m).attr("ravel")("F");
  protect_scope p;
  SEXP out = p(py_to_r(data.ptr()));
  if (!py::bool_(mask.attr("any")())) return out;
  if (Rf_xlength(out) != (R_xlen_t)py::len(mask))
    throw tandem_error("a masked 0-d or object array could not be converted with its mask", tandem_error::value);
  return apply_mask(out, mask);
}

SEXP py_to_r_classed(PyObject* o) {
  if (numpy_loaded() && PyObject_TypeCheck(o, g_ndarray_type)) {
    if (Py_TYPE(o) != g_ndarray_type) {
      py::object ma = loaded_module("numpy.ma");
      if (ma && py::isinstance(py::handle(o), ma.attr("MaskedArray"))) return masked_to_r(py::reinterpret_borrow<py::object>(o));
    }
    py::array a = py::reinterpret_borrow<py::array>(o);
    char kind = a.dtype().kind();
    if (kind == 'M' || kind == 'm') return datetime64_to_r(a);
    return nullptr;
  }
  if (numpy_loaded() && PyObject_TypeCheck(o, g_npgeneric_type)) {
    py::object dt = py::reinterpret_borrow<py::object>(o).attr("dtype");
    std::string kind = py::str(dt.attr("kind"));
    if (kind == "M" || kind == "m") return datetime64_to_r(numpy().attr("asarray")(py::handle(o)).cast<py::array>());
    return nullptr;
  }
  ensure_datetime_api();
  if (PyDateTime_Check(o)) {
    py::handle h(o);
    double s = h.attr("timestamp")().cast<double>();
    std::string tz;
    py::object info = h.attr("tzinfo");
    if (!info.is_none()) {
      if (py::hasattr(info, "key")) tz = py::str(info.attr("key"));
      else if (info.equal(py::module_::import("datetime").attr("timezone").attr("utc"))) tz = "UTC";
    }
    protect_scope p;
    SEXP out = p(r_safe([&] { return Rf_ScalarReal(s); }));
    set_attr(out, "tzone", mk_string(tz));
    return with_class(out, {"POSIXct", "POSIXt"});
  }
  if (PyDate_Check(o)) {
    long ordinal = py::handle(o).attr("toordinal")().cast<long>();
    SEXP out = r_safe([&] { return Rf_ScalarReal((double)(ordinal - k_epoch_ordinal)); });
    return with_class(out, {"Date"});
  }
  if (PyDelta_Check(o)) {
    double s = py::handle(o).attr("total_seconds")().cast<double>();
    protect_scope p;
    SEXP out = p(r_safe([&] { return Rf_ScalarReal(s); }));
    set_attr(out, "units", mk_string("secs"));
    return with_class(out, {"difftime"});
  }
  py::object pd = loaded_module("pandas");
  if (pd) {
    py::handle h(o);
    if (py::isinstance(h, pd.attr("DataFrame"))) return dataframe_to_r(py::reinterpret_borrow<py::object>(o), pd);
    if (py::isinstance(h, pd.attr("Series"))) {  // its index becomes names(), as reticulate
      py::object s = py::reinterpret_borrow<py::object>(o);
      py::object labels = s.attr("index").attr("map")(py::module_::import("builtins").attr("str")).attr("tolist")();
      protect_scope p;
      SEXP out = p(series_to_r(s, pd));
      SEXP names = p(py_to_r(labels.ptr()));
      if (TYPEOF(names) == STRSXP && XLENGTH(names) == Rf_xlength(out)) {
        if (MAYBE_REFERENCED(out)) out = p(r_safe([&] { return Rf_shallow_duplicate(out); }));
        set_attr(out, "names", names);
      }
      return out;
    }
    if (py::isinstance(h, pd.attr("Categorical"))) return categorical_to_r(py::reinterpret_borrow<py::object>(o));
  }
  py::object sp = loaded_module("scipy.sparse");
  if (sp && sp.attr("issparse")(py::handle(o)).cast<bool>() && py::len(py::handle(o).attr("shape")) == 2)
    return sparse_to_r(py::reinterpret_borrow<py::object>(o));
  return nullptr;
}

}  // namespace tandem
