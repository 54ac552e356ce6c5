# datasets.R: Fashion-MNIST from Debian's dataset-fashion-mnist IDX files.

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
dataset_fashion_mnist <- function(path = NULL) {
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
