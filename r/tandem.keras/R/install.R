# install.R: install_keras(), keras3's installer, for scripts that begin with it.

#' Install Keras
#'
#' keras3's installer, for scripts that start with `install_keras()`. When the Python
#' that tandem uses already has TensorFlow and Keras (as `make setup` installs them), it
#' says so and installs nothing. Otherwise it installs TensorFlow, Keras and
#' `extra_packages` with [tandem::py_install()] into `envname` (which needs the network),
#' after which R must be restarted. tandem.keras runs Keras on TensorFlow only: the "jax"
#' and "torch" backends are not installed.
#'
#' @param envname The virtual environment to install into when something is missing.
#' @param ... Passed on to [tandem::py_install()].
#' @param extra_packages Python packages installed with Keras.
#' @param python_version Unused (the Python is the one tandem runs).
#' @param backend The backends asked for; only `"tensorflow"` is used (asking for others
#'   says so).
#' @param gpu Install TensorFlow's GPU build (`NA`: no, as this machine has no GPU check).
#' @param restart_session Unused (restart R yourself after an installation).
#' @return `TRUE` if Keras was already installed, `FALSE` after an installation, invisibly.
#' @export
#' @examples
#' \dontrun{
#' install_keras()
#' }
install_keras <- function(envname = "r-keras", ...,
                          extra_packages = c("scipy", "pandas", "Pillow", "pydot", "ipython"),
                          python_version = NULL, backend = c("tensorflow", "jax"), gpu = NA,
                          restart_session = TRUE) {
  backend <- as.character(backend)
  other <- setdiff(backend, c("tensorflow", "tensorflow-cpu", "tf-nightly"))
  if (!missing(backend) && length(other)) {
    message("tandem.keras runs Keras on TensorFlow only; not installing the ",
            paste0("\"", other, "\"", collapse = ", "), " backend", if (length(other) > 1L) "s", ".")
  }
  if (tandem::py_module_available("tensorflow") && tandem::py_module_available("keras")) {
    message("TensorFlow ", tf$version$VERSION, " and Keras ", keras$version(),
            " are installed in ", tandem::py_exe(), "; nothing to install.")
    return(invisible(TRUE))
  }
  tensorflow <- if (isTRUE(gpu)) "tensorflow[and-cuda]" else "tensorflow-cpu"
  tandem::py_install(c(tensorflow, "keras", extra_packages), envname = envname, ...)
  message("Keras is installed in '", envname, "'. Restart R, then use it with ",
          "use_virtualenv(\"", envname, "\") before library(tandem.keras) starts Python.")
  invisible(FALSE)
}
