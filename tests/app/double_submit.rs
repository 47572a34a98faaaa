//! Double submits: the same create form posted twice creates one record.
