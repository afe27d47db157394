"""SQLAlchemy (Debian python3-sqlalchemy, over PyMySQL) against a running StrataDB: Core DDL
through MetaData.create_all, reflection with the inspector (columns, types, primary key,
indexes, unique constraints), ORM CRUD in session transactions with rollback, and errors.
Run by test_sql_sqlalchemy.py; prints "ok" or raises."""
import decimal
import os
import sys

import sqlalchemy as sa
from sqlalchemy import exc, inspect
from sqlalchemy.orm import Session, declarative_base, relationship

port, password = os.environ["STRATA_PORT"], os.environ["STRATA_PASSWORD"]
admin = sa.create_engine(f"mysql+pymysql://root:{password}@127.0.0.1:{port}/", future=True)
with admin.begin() as c:
    c.execute(sa.text("CREATE DATABASE orm"))
engine = sa.create_engine(f"mysql+pymysql://root:{password}@127.0.0.1:{port}/orm", future=True)

Base = declarative_base()


class Author(Base):
    __tablename__ = "author"
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    name = sa.Column(sa.String(60), nullable=False, unique=True)
    books = relationship("Book", back_populates="author", order_by="Book.id",
                         primaryjoin="Author.id == Book.author_id", foreign_keys="Book.author_id")


class Book(Base):
    __tablename__ = "book"
    id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    author_id = sa.Column(sa.Integer, nullable=False, index=True)  # no FOREIGN KEY: not supported yet
    title = sa.Column(sa.String(200), nullable=False)
    price = sa.Column(sa.Numeric(8, 2))
    published = sa.Column(sa.Date)
    author = relationship("Author", back_populates="books", primaryjoin="Book.author_id == Author.id",
                          foreign_keys=[author_id])


Base.metadata.create_all(engine)

# Reflection.
insp = inspect(engine)
assert sorted(insp.get_table_names()) == ["author", "book"], insp.get_table_names()
cols = {c["name"]: c for c in insp.get_columns("book")}
assert list(cols) == ["id", "author_id", "title", "price", "published"], list(cols)
assert isinstance(cols["id"]["type"], sa.BigInteger), cols["id"]["type"]
assert isinstance(cols["title"]["type"], sa.String) and cols["title"]["type"].length == 200
assert isinstance(cols["price"]["type"], sa.Numeric) and cols["price"]["type"].scale == 2
assert isinstance(cols["published"]["type"], sa.Date)
assert cols["title"]["nullable"] is False and cols["price"]["nullable"] is True
assert insp.get_pk_constraint("book")["constrained_columns"] == ["id"]
indexes = {i["name"]: i for i in insp.get_indexes("book")}
assert indexes["ix_book_author_id"]["column_names"] == ["author_id"], indexes
uniques = insp.get_unique_constraints("author") + [i for i in insp.get_indexes("author") if i["unique"]]
assert any(u["column_names"] == ["name"] for u in uniques), uniques
reflected = sa.MetaData()
reflected.reflect(engine)
assert set(reflected.tables) == {"author", "book"}

# ORM: create, read, update, delete, in transactions.
with Session(engine) as s, s.begin():
    ann = Author(name="Ann")
    ann.books = [Book(title="First", price=decimal.Decimal("9.99")), Book(title="Second")]
    s.add_all([ann, Author(name="Bob")])
with Session(engine) as s:
    ann = s.execute(sa.select(Author).where(Author.name == "Ann")).scalar_one()
    assert [b.title for b in ann.books] == ["First", "Second"]
    assert ann.books[0].price == decimal.Decimal("9.99")
    ann.books[1].price = decimal.Decimal("5.00")
    s.delete(s.execute(sa.select(Author).where(Author.name == "Bob")).scalar_one())
    s.commit()
with Session(engine) as s:
    ann_id = s.execute(sa.select(Author.id).where(Author.name == "Ann")).scalar_one()
    s.add(Book(title="Ghost", author_id=ann_id))
    s.flush()  # the INSERT reached the server inside the transaction
    assert s.execute(sa.select(sa.func.count()).select_from(Book)).scalar() == 3
    s.rollback()
with Session(engine) as s:
    titles = s.execute(sa.select(Book.title).order_by(Book.id)).scalars().all()
    assert titles == ["First", "Second"], titles
    assert s.execute(sa.select(sa.func.count()).select_from(Author)).scalar() == 1
    total = s.execute(sa.select(sa.func.sum(Book.price))).scalar()
    assert total == decimal.Decimal("14.99"), total

# Errors surface as SQLAlchemy's wrappers of MySQL's.
try:
    with Session(engine) as s, s.begin():
        s.add(Author(name="Ann"))
    raise AssertionError("duplicate name accepted")
except exc.IntegrityError as e:
    assert e.orig.args[0] == 1062, e.orig.args

Base.metadata.drop_all(engine)
assert inspect(engine).get_table_names() == []
print("ok")
sys.exit(0)
