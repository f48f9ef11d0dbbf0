"""Nested content: archives, compressed streams, office documents, disk images found inside evidence.

Entry points (see docs/engine.md, "Nested content"):

* ``walk.open_container(stream, name=, limits=, password=, depth=)`` -> ``ContainerWalk`` or None:
  list the children of an item (``ContainerWalk.children()`` yields ``records.NestedChild``);
* ``openers.open_link(kind, parent_stream, params, password=)``: reopen one child's bytes later;
* ``tree.NestedTree(stream, name, ...).items()``: the whole nested tree of an item, children hashed;
* ``item_stream.open_item_stream(source, locator, size)``: a seekable stream of an evidence item;
* ``limits.NestedLimits``: the defences (depth, ratio, expanded bytes, members, time).
"""
