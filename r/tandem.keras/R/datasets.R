# datasets.R: Fashion-MNIST from Debian's dataset-fashion-mnist IDX files, and keras3's
# other dataset_*() readers of Keras' cache (~/.keras/datasets), which never download.

#' Fashion-MNIST
#'
#' Reads the Fashion-MNIST images and labels (60,000 training and 10,000 test images of
#' 28 x 28 grey levels, 10 classes) from the IDX files installed by the Debian package
#' `dataset-fashion-mnist` (no download), or from another directory holding the same
#' four files (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
#' `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`, gzipped or not).
#'
#' @param path The directory of the IDX files; default: the option
#'   `tandem.keras.fashion_mnist_path`, else `/usr/share/datasets/fashion-mnist`.
#' @param convert Ignored (keras3's argument: the result is always R arrays).
#' @return `list(train = list(x, y), test = list(x, y))` as in the keras R package:
#'   `x` an integer array `[n, 28, 28]` (`x[i, row, col]`, values 0-255), `y` an integer
#'   vector of labels 0-9 (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt,
#'   Sneaker, Bag, Ankle boot).
#' @export
#' @examples
#' \dontrun{
#' fm <- dataset_fashion_mnist()
#' dim(fm$train$x)
#' }
dataset_fashion_mnist <- function(path = NULL, convert = TRUE) {
  path <- path %||% getOption("tandem.keras.fashion_mnist_path", "/usr/share/datasets/fashion-mnist")
  find <- function(stem) {
    cands <- file.path(path, paste0(stem, c(".gz", "")))
    hit <- cands[file.exists(cands)]
    if (!length(hit)) {
      abort("Fashion-MNIST file `", stem, "` not found in '", path, "'. ",
            "Install the Debian package `dataset-fashion-mnist` ",
            "(`apt-get install dataset-fashion-mnist`) or give `path`.")
    }
    hit[[1]]
  }
  list(
    train = list(x = read_idx(find("train-images-idx3-ubyte")),
                 y = read_idx(find("train-labels-idx1-ubyte"))),
    test = list(x = read_idx(find("t10k-images-idx3-ubyte")),
                y = read_idx(find("t10k-labels-idx1-ubyte")))
  )
}

# One IDX file of unsigned bytes as an R integer array in row-major index order
# (the file's x[i, j, k] is the R array's x[i, j, k]).
read_idx <- function(file) {
  con <- gzfile(file, "rb")
  on.exit(close(con))
  magic <- readBin(con, "raw", 4L)
  if (length(magic) != 4L || magic[[1]] != 0 || magic[[2]] != 0 || magic[[3]] != as.raw(0x08)) {
    abort("'", file, "' is not an IDX file of unsigned bytes.")
  }
  nd <- as.integer(magic[[4]])
  dims <- readBin(con, "integer", nd, size = 4L, endian = "big")
  n <- prod(dims)
  data <- readBin(con, "raw", n)
  if (length(data) != n) abort("'", file, "' is truncated: ", length(data), " of ", n, " values.")
  x <- as.integer(data)
  if (nd == 1L) return(x)
  dim(x) <- rev(dims)
  aperm(x, rev(seq_len(nd)))
}

# ---- Keras' cached datasets -------------------------------------------------------------

# Keras' cache directory, as Keras computes it ($KERAS_HOME, else ~/.keras), read from
# the environment at each call (R's path.expand() keeps the HOME it saw first).
keras_datasets_dir <- function() {
  home <- Sys.getenv("KERAS_HOME", "")
  if (!nzchar(home)) home <- file.path(Sys.getenv("HOME", "~"), ".keras")
  file.path(home, "datasets")
}

# The cached file (or directory) `name` for a dataset: `path` as given when it exists,
# else in Keras' cache (and /tmp/.keras/datasets, Keras' fallback when the home is not
# writable). Missing: a clear error naming the file, the place to put it and the URL
# (nothing is downloaded: no network is assumed).
find_dataset_file <- function(path, names, dataset, url) {
  if (!is.character(path) || length(path) != 1L || is.na(path) || !nzchar(path)) {
    abort("`path` must be a single string, not ", describe_value(path), ".")
  }
  dirs <- c(keras_datasets_dir(), "/tmp/.keras/datasets")
  cands <- if (startsWith(path, "/") || startsWith(path, "~")) path.expand(path)
           else c(file.path(dirs, path), path)
  cands <- unique(c(cands, if (!identical(names, path)) as.vector(outer(dirs, names, file.path))))
  hit <- cands[file.exists(cands)]
  if (length(hit)) return(normalizePath(hit[[1]]))
  where <- if (startsWith(path, "/") || startsWith(path, "~")) path
           else file.path(keras_datasets_dir(), path)
  abort("The ", dataset, " dataset file was not found: '", where, "'. tandem.keras does not ",
        "download datasets; get '", basename(where), "' from ", url, " and put it in '",
        dirname(where), "' (Keras' cache; set KERAS_HOME to move it), or give its `path`.")
}

# Keras' own load_data()/get_word_index() on a file that is already here: the module's
# get_file() (which would check a hash and download) is replaced while it runs by a
# function that returns `file`.
with_dataset_file <- function(module, file, fun, args = list()) {
  mod <- import(paste0("keras.src.datasets.", module), convert = FALSE)
  original <- py_get_attr(mod, "get_file")
  tandem::py_set_attr(mod, "get_file", tandem::py_func(function(...) file, name = "get_file"))
  on.exit(tandem::py_set_attr(mod, "get_file", original), add = TRUE)
  py_to_r(do.call(py_get_attr(mod, fun), args))
}

as_dataset_list <- function(data) {
  list(train = list(x = data[[1]][[1]], y = data[[1]][[2]]),
       test = list(x = data[[2]][[1]], y = data[[2]][[2]]))
}

# Sequences (IMDB, Reuters) as a list of integer vectors and labels as an integer vector.
as_sequence_list <- function(data) {
  part <- function(d) {
    x <- d[[1]]
    # NumPy makes a 2-d array of sequences that happen to have one length.
    if (length(dim(x)) == 2L) x <- lapply(seq_len(nrow(x)), function(i) x[i, ])
    list(x = lapply(x, function(s) as.integer(unlist(s))), y = as.integer(d[[2]]))
  }
  list(train = part(data[[1]]), test = part(data[[2]]))
}

KERAS_DATA_URL <- "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

#' Keras' datasets, read from Keras' cache
#'
#' These functions read the datasets of `keras.datasets` from Keras' cache directory
#' (`~/.keras/datasets`, or `$KERAS_HOME/datasets`), under the file names Keras uses, or
#' from the `path` you give. They never download: when the file is missing, the error
#' names the file, where to put it and where to get it. The data are processed by Keras'
#' own `load_data()` (shuffling, `num_words`, `test_split`, ...), and returned as keras3
#' returns them.
#'
#' * `dataset_mnist()`: `mnist.npz`; `x` is an integer array `[n, 28, 28]` (0-255),
#'   `y` integer labels 0-9.
#' * `dataset_cifar10()`, `dataset_cifar100()`: the extracted Python-pickle batches
#'   (`cifar-10-batches-py/`, `cifar-100-python/`, as Keras extracts them under
#'   `cifar-10-batches-py-target/` or directly), or the `.tar.gz` archive; `x` is
#'   `[n, 32, 32, 3]`, `y` a one-column matrix of labels.
#' * `dataset_imdb()`, `dataset_reuters()`: `imdb.npz`, `reuters.npz`; `x` is a list of
#'   integer vectors (word indices), `y` integer labels. `dataset_imdb_word_index()` and
#'   `dataset_reuters_word_index()` read the word index (`imdb_word_index.json`,
#'   `reuters_word_index.json`) as a named list.
#' * `dataset_boston_housing()`, `dataset_california_housing()`: `boston_housing.npz`,
#'   `california_housing.npz`; `x` a matrix of features, `y` the targets.
#'
#' @param path The file (relative paths are looked up in Keras' cache directory first).
#'   For CIFAR: a directory holding the extracted batches, or the archive.
#' @param convert Ignored (kept for keras3 compatibility: results are R values).
#' @param label_mode For CIFAR-100: `"fine"` (100 classes) or `"coarse"` (20).
#' @param num_words,skip_top,maxlen,seed,start_char,oov_char,index_from,test_split As in
#'   Keras' `load_data()`.
#' @param version For California housing: `"large"` (20,640 samples) or `"small"` (600).
#' @return `list(train = list(x, y), test = list(x, y))`; the word indices: a named list.
#' @name keras-datasets
#' @examples
#' \dontrun{
#' mnist <- dataset_mnist()
#' dim(mnist$train$x)
#' imdb <- dataset_imdb(num_words = 10000)
#' }
NULL

#' @rdname keras-datasets
#' @export
dataset_mnist <- function(path = "mnist.npz", convert = TRUE) {
  file <- find_dataset_file(path, "mnist.npz", "MNIST", paste0(KERAS_DATA_URL, "mnist.npz"))
  as_dataset_list(with_dataset_file("mnist", file, "load_data", list(path = file)))
}

#' @rdname keras-datasets
#' @export
dataset_cifar10 <- function(path = "cifar-10-batches-py", convert = TRUE) {
  cifar_data("cifar10", "cifar-10-batches-py", "cifar-10-python.tar.gz", path, list())
}

#' @rdname keras-datasets
#' @export
dataset_cifar100 <- function(label_mode = c("fine", "coarse"), path = "cifar-100-python",
                             convert = TRUE) {
  cifar_data("cifar100", "cifar-100-python", "cifar-100-python.tar.gz", path,
             list(label_mode = match.arg(label_mode)))
}

# Keras looks for <dir>/<subdir>/<batches>: find <subdir> (directly, in Keras' "-target"
# extraction directory, or in an archive extracted to a temporary directory).
cifar_data <- function(module, subdir, archive, path, args) {
  file <- find_dataset_file(path, c(file.path(paste0(subdir, "-target"), subdir), subdir, archive),
                            toupper(sub("cifar", "CIFAR-", module)),
                            paste0("https://www.cs.toronto.edu/~kriz/", archive))
  if (!dir.exists(file)) {
    tmp <- tempfile("cifar")
    dir.create(tmp)
    on.exit(unlink(tmp, recursive = TRUE), add = TRUE)
    status <- utils::untar(file, exdir = tmp)
    if (!identical(status, 0L) && !identical(status, 0)) abort("Could not extract '", file, "'.")
    file <- file.path(tmp, subdir)
  }
  if (basename(file) != subdir && dir.exists(file.path(file, subdir))) file <- file.path(file, subdir)
  if (!dir.exists(file)) abort("'", file, "' does not hold the extracted `", subdir, "` batches.")
  as_dataset_list(with_dataset_file(module, dirname(file), "load_data", args))
}

#' @rdname keras-datasets
#' @export
dataset_imdb <- function(path = "imdb.npz", num_words = NULL, skip_top = 0L, maxlen = NULL,
                         seed = 113L, start_char = 1L, oov_char = 2L, index_from = 3L,
                         convert = TRUE) {
  file <- find_dataset_file(path, "imdb.npz", "IMDB", paste0(KERAS_DATA_URL, "imdb.npz"))
  as_sequence_list(with_dataset_file("imdb", file, "load_data", sequence_args(
    file, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from)))
}

#' @rdname keras-datasets
#' @export
dataset_imdb_word_index <- function(path = "imdb_word_index.json") {
  file <- find_dataset_file(path, "imdb_word_index.json", "IMDB word index",
                            paste0(KERAS_DATA_URL, "imdb_word_index.json"))
  with_dataset_file("imdb", file, "get_word_index", list(path = file))
}

#' @rdname keras-datasets
#' @export
dataset_reuters <- function(path = "reuters.npz", num_words = NULL, skip_top = 0L, maxlen = NULL,
                            test_split = 0.2, seed = 113L, start_char = 1L, oov_char = 2L,
                            index_from = 3L, convert = TRUE) {
  file <- find_dataset_file(path, "reuters.npz", "Reuters", paste0(KERAS_DATA_URL, "reuters.npz"))
  args <- sequence_args(file, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from)
  args$test_split <- as.numeric(test_split)
  as_sequence_list(with_dataset_file("reuters", file, "load_data", args))
}

#' @rdname keras-datasets
#' @export
dataset_reuters_word_index <- function(path = "reuters_word_index.json") {
  file <- find_dataset_file(path, "reuters_word_index.json", "Reuters word index",
                            paste0(KERAS_DATA_URL, "reuters_word_index.json"))
  with_dataset_file("reuters", file, "get_word_index", list(path = file))
}

sequence_args <- function(file, num_words, skip_top, maxlen, seed, start_char, oov_char,
                          index_from) {
  list(path = file, num_words = as_int(num_words, "num_words"),
       skip_top = as_int(skip_top, "skip_top"), maxlen = as_int(maxlen, "maxlen"),
       seed = as_int(seed, "seed"), start_char = as_int(start_char, "start_char"),
       oov_char = as_int(oov_char, "oov_char"), index_from = as_int(index_from, "index_from"))
}

#' @rdname keras-datasets
#' @export
dataset_boston_housing <- function(path = "boston_housing.npz", test_split = 0.2, seed = 113L,
                                   convert = TRUE) {
  file <- find_dataset_file(path, "boston_housing.npz", "Boston housing",
                            paste0(KERAS_DATA_URL, "boston_housing.npz"))
  as_dataset_list(with_dataset_file("boston_housing", file, "load_data",
    list(path = file, test_split = as.numeric(test_split), seed = as_int(seed, "seed"))))
}

#' @rdname keras-datasets
#' @export
dataset_california_housing <- function(version = "large", path = "california_housing.npz",
                                       test_split = 0.2, seed = 113L, convert = TRUE) {
  version <- match.arg(version, c("large", "small"))
  file <- find_dataset_file(path, "california_housing.npz", "California housing",
                            paste0(KERAS_DATA_URL, "california_housing.npz"))
  as_dataset_list(with_dataset_file("california_housing", file, "load_data",
    list(version = version, path = file, test_split = as.numeric(test_split),
         seed = as_int(seed, "seed"))))
}
