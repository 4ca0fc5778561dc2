"""Corpus mode on Apache Spark (issue 9): the rules of ``cleaner/corpus.py``, run as Spark jobs.

    cleaner dedup pages/ --engine spark --master 'local[2]' -o clusters.jsonl
    spark-submit --master spark://host:7077 "$(python -c 'import cleaner.spark as s; print(s.__file__)')" \\
        /shared/pages/ /shared/dump.parquet -o /shared/clusters.jsonl
    python -m cleaner.spark pages/ -o clusters.parquet        # the same as cleaner dedup --engine spark

The clusters are the local engine's, member for member: every step below calls the
pure functions of :mod:`cleaner.corpus` on the records of one partition, and only the
grouping across partitions is Spark's.

1. **Pages → records.** Arguments are planned as by ``cleaner dedup`` (files, folders with
   ``--glob``, JSON Lines, ``.gz``); each task reads its files with ``batch.iter_units``
   (so the files must be visible to every executor: local mode, or a shared file
   system). An argument ending in ``.parquet`` (a file or a folder of part files, also a
   URI such as ``hdfs://…/pages.parquet``) is read by Spark: one page per row, text in
   ``--text-field``, name ``<argument>:<id>`` like a JSON Lines record, rows in the order
   of (file, row). Pages are spread over the executors and cleaned by
   ``corpus.unit_records`` (the local engine's per-page function, unchanged). Units are
   then sorted by input order and ``seen`` is numbered across partitions from a prefix
   sum of their record counts: the same numbers as the local engine.
2. **Signatures and band keys** per partition (``corpus.signature_matrix``,
   ``corpus.band_keys``) for the eligible records (``min_shingles``).
3. **Candidates**: rows ``(bucket, seen)`` numbered inside their bucket by ``seen`` (a
   window; ``seen`` is unique, so this is the ``(seen, id)`` order), and the first
   ``bucket_pairs`` positions joined with the later ones of the same bucket: position
   ``p`` meets positions ``0 … min(p, bucket_pairs) - 1``, the rule of ``lsh_pairs``.
4. **Verification**: each distinct pair joined with its two records (a DataFrame of
   ``seen`` and the pickled record) and kept when ``corpus.verify`` says it is an edge.
5. **Components** by the alternating large-star / small-star algorithm (Kiveris et al.,
   "Connected Components in MapReduce and Beyond", 2014) in Spark SQL: O(log² n) rounds,
   ending when every edge joins a node to its component's smallest ``seen``.
6. **Clusters**: the members of each component are brought together (partitioned and
   sorted by component) and ``corpus.make_cluster`` chooses the representative and
   computes the figures; the driver sorts the clusters (articles first, then by the
   representative's ``(seen, id)``).

pyspark is imported here only, lazily: without it (or without Java)
:class:`~cleaner.errors.SparkUnavailableError` names what to install. The persistent
index (``--index``) belongs to the local engine.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

if __name__ == "__main__":
    # run as a script (spark-submit cleaner/spark.py): this folder first on sys.path would
    # shadow the standard library with cleaner/html.py
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != os.path.dirname(os.path.realpath(__file__))]

from cleaner import corpus  # noqa: E402
from cleaner.batch import Settings, Source, Unit, iter_units, plan_sources  # noqa: E402
from cleaner.errors import ConfigError, InputError, SparkUnavailableError  # noqa: E402

INSTALL = "install the extra: pip install 'cleaner[spark]' and a Java 17 runtime"

#: the schema of a clusters.jsonl line, for Parquet output
CLUSTER_SCHEMA = (
    "cluster STRING, kind STRING, size BIGINT, representative STRING, reason STRING, detail STRING, "
    "members ARRAY<STRUCT<id: STRING, source: STRING, page: BIGINT, article: BIGINT, paragraph: BIGINT, "
    "blocks: ARRAY<BIGINT>, spans: ARRAY<ARRAY<BIGINT>>, jaccard: DOUBLE, containment: DOUBLE, kept: BOOLEAN>>"
)


# ---------------------------------------------------------------- the session

def session(master: str | None = None, app: str = "cleaner dedup"):
    """The active SparkSession, or a new one on ``master`` (``None``: the one spark-submit
    set, else ``local[*]``). A local master gets few shuffle partitions and no web UI."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError(f"--engine spark needs pyspark, which is not installed: {INSTALL}") from None
    active = SparkSession.getActiveSession()
    if active is not None and (master is None or active.sparkContext.master == master):
        return active
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkUnavailableError(f"--engine spark needs Java, and there is no java on PATH nor JAVA_HOME: {INSTALL}")
    builder = SparkSession.builder.appName(app)
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ          # spark-submit started us: its master
    if master is None and not submitted:
        master = "local[*]"
    if master is not None:
        builder = builder.master(master)
    if (master or "").startswith("local"):
        # workers run this interpreter (a venv's), unless the user chose another
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (builder.config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false"))
    try:
        spark = builder.getOrCreate()
    except Exception as err:  # py4j / the launcher: Java missing, too old, or cannot start
        raise SparkUnavailableError(f"Spark could not start ({type(err).__name__}: {str(err).strip()[:200]}): "
                                    f"{INSTALL}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _partitions(spark) -> int:
    return max(2, 2 * spark.sparkContext.defaultParallelism)


# ---------------------------------------------------------------- inputs → units

def _is_parquet(argument: str) -> bool:
    return argument.rstrip("/").endswith(".parquet")


def plan(arguments: Iterable[str], glob: str = "*.txt") -> list[tuple[str, Source | InputError | str]]:
    """The inputs in order, as ``("source", Source | InputError)`` (planned like the local
    engine: folders expanded and sorted, a file named twice read once) or
    ``("parquet", argument)``."""
    out: list[tuple[str, Source | InputError | str]] = []
    seen: set[str] = set()
    for argument in arguments:
        if argument == "-":
            raise ConfigError("--engine spark cannot read stdin: give files, folders, JSON Lines or Parquet")
        if _is_parquet(argument):
            out.append(("parquet", argument))
            continue
        if "://" in argument:
            raise ConfigError(f"{argument}: the Spark engine reads URIs only for Parquet (ending in .parquet); "
                              "give JSON Lines and text files as paths every executor can read")
        for source in plan_sources([argument], glob):
            if isinstance(source, Source) and source.path is not None:
                key = str(source.path.resolve())
                if key in seen:
                    continue
                seen.add(key)
            out.append(("source", source))
    return out


def _source_units(item: tuple[int, Source | InputError], settings: Settings) -> Iterator[tuple[tuple, object]]:
    number, source = item
    if isinstance(source, InputError):
        yield (number, 0), str(source)
        return
    for n, unit in enumerate(iter_units([source], settings)):
        yield (number, n), (str(unit) if isinstance(unit, InputError) else unit)


def _parquet_units(spark, number: int, argument: str, settings: Settings):
    """``((number, row), Unit | error line)`` for each row of a Parquet input."""
    def failed(message: str):
        return spark.sparkContext.parallelize([((number, 0), f"{argument}: {message}")], 1)

    try:
        frame = spark.read.parquet(argument)
    except Exception as err:  # Spark's AnalysisException: missing path, not Parquet
        return failed(f"cannot read as Parquet ({str(err).strip().splitlines()[0][:200]}): check the path")
    columns = set(frame.columns)
    if settings.text_field not in columns:
        return failed(f"no column {settings.text_field!r}: choose the text column with --text-field")
    ident = settings.id_field if settings.id_field in columns else None
    frame = frame.select(settings.text_field, *([ident] if ident else []), "_metadata.file_path",
                         "_metadata.row_index").orderBy("file_path", "row_index")
    text_field = settings.text_field

    def unit(pair):
        row, index = pair
        where = f"{argument}:{index + 1}"
        text = row[text_field]
        if not isinstance(text, str):
            return (number, index), f"{where}: no text in {text_field!r}: choose the column with --text-field"
        value = row[ident] if ident else None
        name = value if isinstance(value, str) else str(index + 1) if value is None else str(value)
        return (number, index), Unit(where, f"{argument}:{name}", name, "", text=text)

    return frame.rdd.zipWithIndex().map(unit)


def _partition_facts(items, rules: corpus.Rules) -> list[tuple[int, int, int, list, list]]:
    """One partition's records, pages, eligible records, error lines and article dicts."""
    n_records = n_pages = n_eligible = 0
    errors: list[str] = []
    articles: list[dict] = []
    for _, (recs, arts, error) in items:
        n_records += len(recs)
        n_pages += len({(r.source, r.page) for r in recs})
        n_eligible += len(corpus.eligible(recs, rules))
        if error is not None:
            errors.append(error)
        if arts:
            articles.append(arts)
    return [(n_records, n_pages, n_eligible, errors, articles)]


@dataclass
class Pages:
    """The records of a run, in Spark, numbered like the local engine's."""

    records: object             # RDD[Record], computed from ``ordered``
    ordered: object             # RDD[(order, (records, articles, error))], persisted until release()
    count: int
    pages: int
    eligible: int
    errors: list[str]
    articles: dict[str, dict]

    def release(self) -> None:
        self.ordered.unpersist()


def read_pages(spark, arguments: Sequence[str], settings: Settings, rules: corpus.Rules, glob: str = "*.txt",
               emit_articles: bool = False) -> Pages:
    """Plan, read and clean the inputs in Spark (step 1 of the module docstring)."""
    planned = plan(arguments, glob)
    sc = spark.sparkContext
    parts = _partitions(spark)
    sources = [(n, item) for n, (how, item) in enumerate(planned) if how == "source"]
    units = sc.parallelize(sources, max(1, min(len(sources), parts))).flatMap(
        lambda item: _source_units(item, settings)) if sources else sc.emptyRDD()
    for n, (how, item) in enumerate(planned):
        if how == "parquet":
            units = units.union(_parquet_units(spark, n, item, settings))

    def clean(pair):
        order, unit = pair
        if isinstance(unit, str):
            return order, ([], {}, unit)
        return order, corpus.unit_records(unit, settings, emit_articles)

    cleaned = units.repartition(parts).map(clean).persist()
    ordered = cleaned.sortByKey(numPartitions=parts).persist()
    cleaned.unpersist()
    facts = ordered.mapPartitions(lambda it: _partition_facts(it, rules)).collect()
    starts, total = [], 0
    for n_records, *_ in facts:
        starts.append(total)
        total += n_records

    def number(index, it):
        seen = starts[index]
        for _, (recs, _, _) in it:
            yield from corpus.renumber(recs, seen)
            seen += len(recs)

    articles: dict[str, dict] = {}
    for *_, arts in facts:
        for one in arts:
            articles.update(one)
    return Pages(ordered.mapPartitionsWithIndex(number), ordered, total, sum(f[1] for f in facts),
                 sum(f[2] for f in facts), [e for f in facts for e in f[3]], articles)


# ---------------------------------------------------------------- records → clusters

def _band_rows(records: Iterable[corpus.Record], rules: corpus.Rules) -> Iterator[tuple[bytearray, int]]:
    """``(bucket key, seen)`` for every band of every eligible record of one partition."""
    part = corpus.eligible(list(records), rules)
    for start in range(0, len(part), 4096):
        chunk = part[start:start + 4096]
        sigs = corpus.signature_matrix(chunk, rules)
        for record, row in zip(chunk, sigs):
            for key in corpus.band_keys(record.kind, row, rules):
                yield bytearray(key), record.seen


def _record_rows(records: Iterable[corpus.Record], rules: corpus.Rules) -> Iterator[tuple[int, bytearray]]:
    """``(seen, pickled record)`` for the eligible records of one partition."""
    for record in corpus.eligible(list(records), rules):
        yield record.seen, bytearray(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))


def candidate_pairs(spark, records, rules: corpus.Rules):
    """A DataFrame of the distinct candidate pairs ``(a, b)`` (``seen`` numbers, ``a``
    seen first) of an RDD of records, by the bucket rule (step 3)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    rows = records.mapPartitions(lambda it: _band_rows(it, rules))
    frame = spark.createDataFrame(rows, "bucket BINARY, seen BIGINT")
    ranked = frame.withColumn("pos", F.row_number().over(Window.partitionBy("bucket").orderBy("seen")) - 1)
    left = ranked.where(F.col("pos") < rules.bucket_pairs).select(
        "bucket", F.col("seen").alias("a"), F.col("pos").alias("pa"))
    right = ranked.select("bucket", F.col("seen").alias("b"), F.col("pos").alias("pb"))
    return left.join(right, "bucket").where(F.col("pa") < F.col("pb")).select("a", "b").distinct()


def _verify_rows(rows, rules: corpus.Rules) -> Iterator[tuple[int, int]]:
    for a, b, left, right in rows:
        if corpus.verify(pickle.loads(left), pickle.loads(right), rules):
            yield a, b


def verified_edges(spark, pairs, records, rules: corpus.Rules):
    """The candidate pairs that are edges (``corpus.verify``), a DataFrame ``(a, b)``
    (step 4); ``records`` is the DataFrame ``(seen, rec)`` of pickled records."""
    from pyspark.sql import functions as F

    left = records.select(F.col("seen").alias("a"), F.col("rec").alias("ra"))
    right = records.select(F.col("seen").alias("b"), F.col("rec").alias("rb"))
    joined = pairs.join(left, "a").join(right, "b").select("a", "b", "ra", "rb")
    return spark.createDataFrame(joined.rdd.mapPartitions(lambda rows: _verify_rows(rows, rules)),
                                 "a BIGINT, b BIGINT")


def connected_components(edges, max_rounds: int = 200):
    """A DataFrame ``(node, root)``: every node of an edge that is not the smallest of its
    component, with that smallest node, by alternating large-star and small-star (step 5).

    Edges ``(a, b)`` are kept as ``(u, v)`` with ``u > v``. Large-star links each node's
    larger neighbours to the smallest of its neighbours and itself; small-star links each
    node and its smaller neighbours to the smallest of them. Both keep the components and
    shrink their diameter; the loop ends when the edges are stars: every node is the
    larger end of at most one edge, and no node is both a larger and a smaller end.
    Everything runs as Spark SQL (no Python workers); each round is checkpointed.
    """
    from pyspark.sql import functions as F

    col = F.col
    current = (edges.where(col("a") != col("b"))
               .select(F.greatest("a", "b").alias("u"), F.least("a", "b").alias("v")).distinct()
               .localCheckpoint())
    for _ in range(max_rounds):
        both = current.union(current.select(col("v").alias("u"), col("u").alias("v")))
        smallest = both.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("m"))
        large = (both.join(smallest, "u").where(col("v") > col("u"))
                 .select(col("v").alias("u"), col("m").alias("v")).distinct())
        lowest = large.groupBy("u").agg(F.min("v").alias("m"))
        small = (large.join(lowest, "u").where(col("v") != col("m")).select(col("v").alias("u"), col("m").alias("v"))
                 .union(lowest.select("u", col("m").alias("v"))).distinct())
        current = small.localCheckpoint()
        if (current.groupBy("u").count().where(col("count") > 1).isEmpty()
                and current.select("v").intersect(current.select("u")).isEmpty()):
            return current.select(col("u").alias("node"), col("v").alias("root"))
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")


def _cluster_rows(rows, rules: corpus.Rules) -> Iterator[corpus.Cluster]:
    """One cluster per run of rows with the same root (rows sorted by root)."""
    members: list[corpus.Record] = []
    current = None
    for root, rec in rows:
        if root != current and members:
            yield corpus.make_cluster(members, rules)
            members = []
        current = root
        members.append(pickle.loads(rec))
    if members:
        yield corpus.make_cluster(members, rules)


def cluster_rdd(spark, records, rules: corpus.Rules) -> list[corpus.Cluster]:
    """The clusters of ``records`` (an RDD of :class:`cleaner.corpus.Record` with unique
    ``seen``), sorted as by :func:`cleaner.corpus.cluster_records`."""
    from pyspark.sql import functions as F

    frame = spark.createDataFrame(records.mapPartitions(lambda it: _record_rows(it, rules)),
                                  "seen BIGINT, rec BINARY").persist()
    try:
        edges = verified_edges(spark, candidate_pairs(spark, records, rules), frame, rules)
        stars = connected_components(edges)
        labels = stars.union(stars.select(F.col("root").alias("node"), "root").distinct())
        grouped = (labels.join(frame, labels["node"] == frame["seen"]).select("root", "rec")
                   .repartition(_partitions(spark), "root").sortWithinPartitions("root"))
        clusters = grouped.rdd.mapPartitions(lambda rows: _cluster_rows(rows, rules)).collect()
    finally:
        frame.unpersist()
    clusters.sort(key=lambda c: (corpus.KINDS.index(c.kind), c.representative.seen, c.representative.id))
    return clusters


# ---------------------------------------------------------------- a run, for cleaner dedup

def dedup_inputs(arguments: Sequence[str], settings: Settings, rules: corpus.Rules, glob: str = "*.txt",
                 master: str | None = None, emit_articles: bool = False):
    """``cleaner dedup --engine spark``: ``(run, pages, error lines, articles)`` with the
    same meaning as the local engine's (``articles`` only with ``emit_articles``)."""
    spark = session(master)
    pages = read_pages(spark, arguments, settings, rules, glob, emit_articles)
    try:
        clusters = cluster_rdd(spark, pages.records, rules)
    finally:
        pages.release()
    return corpus.Run(clusters, pages.count, pages.eligible), pages.pages, pages.errors, pages.articles


def write_parquet(path, content: str) -> None:
    """Write JSON Lines ``content`` (clusters, or articles) as a Parquet folder at ``path``:
    the clusters with :data:`CLUSTER_SCHEMA`, articles with the schema Spark infers."""
    spark = session()
    lines = content.splitlines()
    reader = spark.read
    if not lines or lines[0].startswith('{"cluster": '):
        reader = reader.schema(CLUSTER_SCHEMA)
    frame = reader.json(spark.sparkContext.parallelize(lines, 1))
    frame.coalesce(1).write.mode("overwrite").parquet(str(path))


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m cleaner.spark ARGS`` / ``spark-submit cleaner/spark.py ARGS``: ``cleaner
    dedup --engine spark ARGS``."""
    from cleaner.cli import main as cli

    cli(["dedup", "--engine", "spark", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
